-- OpenID Connect authorization-code flows, each a sequence of requests on whichever connection is free:
--   POST PAR (only when data.par_path is set) → 201 with a request_uri; then GET authorize?…&request_uri=…
--   GET authorize (PKCE S256, headless login) → 302/303 with ?code=…&state=<index>
--   POST token (the code, the code_verifier of <index>, client authentication) → 200 with an id_token
--   GET userinfo with the access token → 200 (only when data.userinfo_path is set)
-- One Lua state serves all the connections of a wrk thread, so a thread keeps queues: response() queues the code
-- of an authorize redirect (and the access token of a token response); request() sends a userinfo request when an
-- access token is queued, else a token request when a code is queued, else an authorize request with a queued
-- request_uri, else a new authorize (or PAR) request. A flow is done at its last successful response; `flows`
-- counts them.
--
-- Data (bench/wrk.py):
--   authorize      list of authorize paths (unless par_bodies); the state of the i-th is i - 1 (an index into
--                  verifiers)
--   verifiers      PKCE code verifiers, verifiers[state + 1] belongs to the request whose state is <state>
--   token_path, token_headers, token_body   the token request, less "&code=…&code_verifier=…"
--   assertions     optional: client assertions (private_key_jwt), one per token (and PAR) request, each thread
--                  its share
--   userinfo_path  optional: add the userinfo request to each flow
--   par_path, par_headers, par_bodies   optional: push the authorization requests instead (the i-th body, whose
--                  state is i - 1, less "&client_assertion=…"); authorize_with_request_uri: the authorize path
--                  less the request_uri's value
--   dpop_proofs    optional: DPoP proofs, one per token request (header DPoP), each thread its share

dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local authorize_requests = {}
local next_authorize = 0
local request_uris = {}
local codes = {} -- stack of { code, state }
local access_tokens = {}
local cursors = {} -- per list of one-use values: the index this thread took last
flows = 0
pushed = 0
codes_issued = 0
tokens_issued = 0
assertions_reused = 0
dpop_proofs_reused = 0

function init(args)
   for index, path in ipairs(data.authorize or {}) do
      authorize_requests[index] = wrk.format("GET", path)
   end
   next_authorize = math.floor(#(data.par_bodies or data.authorize) * thread_index / thread_count)
end

-- The next one-use value of data[name] (client assertions, DPoP proofs): each thread takes every
-- thread_count-th one; past the end, values are reused (counted in <name>_reused), which the server refuses.
local function take(name)
   local list = data[name]
   local index = (cursors[name] or thread_index + 1 - thread_count) + thread_count
   if index > #list then
      _G[name .. "_reused"] = _G[name .. "_reused"] + 1
      index = (index - 1) % #list + 1
   end
   cursors[name] = index
   return list[index]
end

local function with_assertion(body)
   return data.assertions and body .. "&client_assertion=" .. take("assertions") or body
end

function request()
   if data.userinfo_path and #access_tokens > 0 then
      local token = table.remove(access_tokens)
      return wrk.format("GET", data.userinfo_path, { Authorization = "Bearer " .. token })
   end
   if #codes > 0 then
      local grant = table.remove(codes)
      local body = data.token_body .. "&code=" .. grant.code .. "&code_verifier=" .. data.verifiers[grant.state + 1]
      local headers = data.token_headers
      if data.dpop_proofs then
         headers = { DPoP = take("dpop_proofs") }
         for name, value in pairs(data.token_headers) do
            headers[name] = value
         end
      end
      return wrk.format("POST", data.token_path, headers, with_assertion(body))
   end
   if #request_uris > 0 then
      return wrk.format("GET", data.authorize_with_request_uri .. table.remove(request_uris))
   end
   if data.par_path then
      next_authorize = next_authorize % #data.par_bodies + 1
      return wrk.format("POST", data.par_path, data.par_headers, with_assertion(data.par_bodies[next_authorize]))
   end
   next_authorize = next_authorize % #authorize_requests + 1
   return authorize_requests[next_authorize]
end

function response(status, headers, body)
   local request_uri = status == 201 and string.match(body, '"request_uri"%s*:%s*"([^"]+)"')
   if request_uri then
      pushed = pushed + 1
      table.insert(request_uris, request_uri)
   elseif status == 302 or status == 303 then
      local location = headers["location"] or headers["Location"] or ""
      local code = string.match(location, "[?&]code=([^&]+)")
      local state = tonumber(string.match(location, "[?&]state=(%d+)"))
      if code and state and data.verifiers[state + 1] then
         codes_issued = codes_issued + 1
         table.insert(codes, { code = code, state = state })
      else
         fail(status, location)
      end
   elseif status == 200 and string.find(body, '"id_token"', 1, true) then
      tokens_issued = tokens_issued + 1
      if data.userinfo_path then
         local token = string.match(body, '"access_token"%s*:%s*"([^"]+)"')
         if token then
            table.insert(access_tokens, token)
         else
            fail(status, body)
         end
      else
         flows = flows + 1
      end
   elseif status == 200 and data.userinfo_path and string.find(body, '"sub"', 1, true) then
      flows = flows + 1
   else
      fail(status, body)
   end
end

function done(summary, latency, requests)
   report(summary, latency, {
      "flows", "pushed", "codes_issued", "tokens_issued", "assertions_reused", "dpop_proofs_reused", "failures",
   })
end
