"""Signed documents: the citizen's wallet, PDF copies, public verification, and revocation (sandbox admin)."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from app.core.errors import problem_responses
from app.deps import AdminDep, EnvDep, Level2SelfCitizen, SessionDep, SettingsDep
from app.schemas.common import Text
from app.schemas.document import DocumentRevocation, JwsVerificationRequest
from app.services import documents
from app.services.documents import DocumentDetail, DocumentPage, DocumentRevoked, DocumentVerification

router = APIRouter(tags=["Documents"])

DocumentId = Annotated[
    str, Path(pattern=r"^[0-9a-f]{32}$", description="`id` from GET /v1/me/documents (32 hexadecimal digits).")
]
DocumentCode = Annotated[
    Text,
    Path(
        min_length=1,
        max_length=40,
        description="The code printed under the QR code, e.g. `VN7K3M9Q2X4D`; case, hyphens and spaces do not "
        "matter, and I, L and O are read as 1, 1 and 0 (Crockford base32).",
    ),
]
WALLET_ERRORS = (401, 403)
PDF_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "The document as an A4 PDF."}
}


@router.get(
    "/v1/me/documents",
    response_model=DocumentPage,
    name="documents.wallet",
    responses=problem_responses(*WALLET_ERRORS, 422),
)
def my_documents(
    caller: Level2SelfCitizen,
    db: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100, description="Documents per page.")] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Skip this many: a `next_offset`.")] = 0,
) -> DocumentPage:
    """The signed-in citizen's document wallet (kho giấy tờ): certificates and confirmations issued to them by
    procedures, newest first, revoked ones included (`revoked: true`). Like the rest of /v1/me, the wallet takes
    tokens of the VNeID app (client `vneid-app`; other clients get `403 first_party_client_required`: a relying
    party is handed a document's JWS or code by the citizen and checks it at /v1/documents/verification), and
    needs a level 2 account: a level 1 token gets `403 insufficient_account_level` with an RFC 9470 step-up
    challenge. Page with `limit` and `offset`; `next_offset` is null on the last page."""
    return documents.my_documents(db, caller.personal_id, limit=limit, offset=offset)


@router.get(
    "/v1/me/documents/{document_id}",
    response_model=DocumentDetail,
    name="documents.get",
    responses=problem_responses(*WALLET_ERRORS, 404, 422),
)
def my_document(
    document_id: DocumentId, caller: Level2SelfCitizen, db: SessionDep, settings: SettingsDep
) -> DocumentDetail:
    """One document of the wallet: its full content (`content.fields` as printed, `content.data` for machines),
    its signed form `jws` to hand to a relying party, and the public `verification_url` of its QR code.
    Verify the JWS yourself against the document keys in /.well-known/jwks.json (RS256, `kid` in the header),
    or post it to /v1/documents/verification. Another citizen's document is `404 document_not_found`."""
    return documents.my_document(db, settings.public_url, caller.personal_id, document_id)


@router.get(
    "/v1/me/documents/{document_id}/pdf",
    response_class=Response,
    name="documents.pdf",
    responses={**PDF_RESPONSE, **problem_responses(*WALLET_ERRORS, 404, 422)},
)
def my_document_pdf(
    document_id: DocumentId, caller: Level2SelfCitizen, db: SessionDep, settings: SettingsDep
) -> Response:
    """The document printed as an A4 PDF (Vietnamese, fonts embedded) with a QR code to its public
    verification URL, the code under it, the signing key's `kid`, and a red SANDBOX mark: it has no legal
    value. The same document always renders to the same bytes."""
    pdf = documents.my_document_pdf(db, settings.public_url, caller.personal_id, document_id)
    return Response(
        pdf.content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{pdf.filename}"'},
    )


@router.get(
    "/v1/documents/{code}/verification",
    response_model=DocumentVerification,
    name="documents.verify_code",
    responses=problem_responses(422),
)
def verify_code(code: DocumentCode, db: SessionDep) -> DocumentVerification:
    """Public, no token: what the QR code on a printed document opens. `status` is `valid` (issued here and not
    revoked), `revoked`, or `unknown` (no document has this code), with the document's kind, title and issue
    time. This checks that the code exists, not that a paper copy is unaltered: for that, verify its JWS."""
    return documents.verify_code(db, code)


@router.post(
    "/v1/documents/verification",
    response_model=DocumentVerification,
    name="documents.verify_jws",
    responses=problem_responses(422),
)
def verify_jws(body: JwsVerificationRequest, env: EnvDep) -> DocumentVerification:
    """Public, no token: check a document's compact JWS as a citizen handed it over. `valid`: signed with one of
    this sandbox's document keys, its content identical to what was issued, not revoked. `tampered`: it names a
    document issued here but its signature or content does not match. `revoked`: genuine but revoked.
    `unknown`: not a document of this sandbox (other signer, unknown `kid`, or not a JWS at all)."""
    return documents.verify_jws(env, body.jws)


@router.post(
    "/sandbox/documents/{code}/revoke",
    response_model=DocumentRevoked,
    name="sandbox.revoke_document",
    tags=["Sandbox controls"],
    dependencies=[AdminDep],
    responses=problem_responses(401, 404, 422),
)
def revoke_document(code: DocumentCode, body: DocumentRevocation, env: EnvDep) -> DocumentRevoked:
    """Revoke a document, as the issuing agency would: from now on its verification says `revoked`, and the
    citizen's wallet shows it revoked. Idempotent: revoking again keeps the first time and reason. Unknown code:
    `404 document_not_found`."""
    return documents.revoke_document(env, code, body.reason)
