-- OpenID Connect authorization-code flows, each a sequence of requests on whichever connection is free:
--   GET authorize (PKCE S256, headless login) → 302/303 with ?code=…&state=<index>
--   POST token (the code, the code_verifier of <index>, client authentication) → 200 with an id_token
--   GET userinfo with the access token → 200 (only when data.userinfo_path is set)
-- One Lua state serves all the connections of a wrk thread, so a thread keeps queues: response() queues the code
-- of an authorize redirect (and the access token of a token response); request() sends a userinfo request when an
-- access token is queued, else a token request when a code is queued, else a new authorize request. A flow is
-- done at its last successful response; `flows` counts them.
--
-- Data (bench/wrk.py):
--   authorize      list of authorize paths; the state of the i-th is i - 1 (an index into verifiers)
--   verifiers      PKCE code verifiers, verifiers[state + 1] belongs to authorize[state + 1]
--   token_path, token_headers, token_body   the token request, less "&code=…&code_verifier=…"
--   assertions     optional: client assertions (private_key_jwt), one per token request, each thread its share
--   userinfo_path  optional: add the userinfo request to each flow

dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local authorize_requests = {}
local next_authorize = 0
local codes = {} -- stack of { code, state }
local access_tokens = {}
local next_assertion = 0
flows = 0
codes_issued = 0
tokens_issued = 0
assertions_reused = 0

function init(args)
   for index, path in ipairs(data.authorize) do
      authorize_requests[index] = wrk.format("GET", path)
   end
   next_authorize = math.floor(#authorize_requests * thread_index / thread_count)
   next_assertion = thread_index + 1 - thread_count
end

local function assertion()
   next_assertion = next_assertion + thread_count
   if next_assertion > #data.assertions then -- ran out: replays, which a server that checks jti refuses
      assertions_reused = assertions_reused + 1
      next_assertion = (next_assertion - 1) % #data.assertions + 1
   end
   return data.assertions[next_assertion]
end

function request()
   if data.userinfo_path and #access_tokens > 0 then
      local token = table.remove(access_tokens)
      return wrk.format("GET", data.userinfo_path, { Authorization = "Bearer " .. token })
   end
   if #codes > 0 then
      local grant = table.remove(codes)
      local body = data.token_body .. "&code=" .. grant.code .. "&code_verifier=" .. data.verifiers[grant.state + 1]
      if data.assertions then
         body = body .. "&client_assertion=" .. assertion()
      end
      return wrk.format("POST", data.token_path, data.token_headers, body)
   end
   next_authorize = next_authorize % #authorize_requests + 1
   return authorize_requests[next_authorize]
end

function response(status, headers, body)
   if status == 302 or status == 303 then
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
   report(summary, latency, { "flows", "codes_issued", "tokens_issued", "assertions_reused", "failures" })
end
