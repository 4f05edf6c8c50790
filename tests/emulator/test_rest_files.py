"""Files API: upload (streamed to disk), list with cursors, count, get, delete, errors."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pytest
from soniox import SonioxClient
from soniox.errors import SonioxInvalidRequestError, SonioxNotFoundError, SonioxRateLimitError
from soniox.types import File, GetFilesCountResponse, GetFilesResponse

from tests.emulator.helpers import rest
from tests.emulator.oas import assert_matches_oas, example_message
from tests.fake_soniox import FakeSoniox


def test_upload_keeps_bytes_name_and_reference(client: SonioxClient, fake_soniox: FakeSoniox, tmp_path: Path) -> None:
    payload = bytes(range(256)) * 1000
    audio = tmp_path / "meeting.wav"
    audio.write_bytes(payload)

    uploaded = client.files.upload(audio, client_reference_id="ref-1")

    assert uploaded.filename == "meeting.wav"
    assert uploaded.size == len(payload)
    assert uploaded.client_reference_id == "ref-1"
    assert fake_soniox.file_bytes(uploaded.id) == payload
    assert client.files.get(uploaded.id) == uploaded


def test_upload_body_matches_oas(fake_soniox: FakeSoniox) -> None:
    with rest(fake_soniox) as http:
        resp = http.post("/files", files={"file": ("a.mp3", b"abc")})
    assert resp.status_code == 201
    assert_matches_oas(resp.json(), "/v1/files", "post", 201)
    assert resp.json()["created_at"].endswith("Z")
    File.model_validate(resp.json())


def test_upload_streams_in_chunks_without_buffering(client: SonioxClient, fake_soniox: FakeSoniox) -> None:
    size = 24 * 1024 * 1024 + 7
    stream = io.BytesIO(b"\x01" * size)
    uploaded = client.files.upload(stream, filename="big.raw")
    assert uploaded.size == size
    assert fake_soniox.file_path(uploaded.id).stat().st_size == size


def test_upload_without_file_part_is_the_documented_400(fake_soniox: FakeSoniox) -> None:
    with rest(fake_soniox) as http:
        resp = http.post("/files", files={"client_reference_id": (None, "x")})
    assert resp.status_code == 400
    body = resp.json()
    assert_matches_oas(body, "/v1/files", "post", 400)
    assert body["error_type"] == "invalid_request"
    assert body["message"] == example_message("/v1/files", "post", 400)
    assert body["validation_errors"] == [
        {"error_type": "missing", "location": "file.file", "message": "Field required"}
    ]
    assert body["more_info"] == "https://soniox.com/docs/api-reference/errors#invalid-request"


def test_upload_long_reference_body(fake_soniox: FakeSoniox) -> None:
    with rest(fake_soniox) as http:
        resp = http.post("/files", data={"client_reference_id": "x" * 257}, files={"file": ("a.wav", b"1")})
    assert resp.status_code == 400
    [issue] = resp.json()["validation_errors"]
    assert issue["error_type"] == "string_too_long"
    assert issue["location"] == "file.client_reference_id"
    assert fake_soniox.files == []  # nothing half-stored


def test_list_pages_newest_first_with_opaque_cursor(client: SonioxClient, fake_soniox: FakeSoniox) -> None:
    ids = [client.files.upload(b"x", filename=f"f{i}.wav").id for i in range(260)]

    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        page = client.files.list(limit=100, cursor=cursor)
        pages += 1
        seen.extend(f.id for f in page.files)
        cursor = page.next_page_cursor
        if cursor is None:
            break
    assert pages == 3
    assert seen == list(reversed(ids))
    assert [f.id for f in client.files.list_all(limit=7)] == seen


def test_list_default_limit_and_oas_shape(client: SonioxClient, fake_soniox: FakeSoniox) -> None:
    for i in range(3):
        client.files.upload(b"x", filename=f"{i}.wav")
    with rest(fake_soniox) as http:
        resp = http.get("/files")
    assert resp.status_code == 200
    assert_matches_oas(resp.json(), "/v1/files", "get", 200)
    assert resp.json()["next_page_cursor"] is None
    GetFilesResponse.model_validate(resp.json())


def test_list_survives_deletes_between_pages(client: SonioxClient) -> None:
    ids = [client.files.upload(b"x", filename=f"{i}.wav").id for i in range(5)]
    first = client.files.list(limit=2)
    client.files.delete(ids[2])  # the first item of the next page
    second = client.files.list(limit=2, cursor=first.next_page_cursor)
    assert [f.id for f in second.files] == [ids[1], ids[0]]


def test_invalid_cursor_is_the_documented_error(client: SonioxClient, fake_soniox: FakeSoniox) -> None:
    with pytest.raises(SonioxInvalidRequestError) as info:
        client.files.list(cursor="not-a-cursor")
    error = info.value.api_error
    assert error is not None and error.error_type == "invalid_cursor"
    assert error.message == example_message("/v1/files", "get", 400)
    # A transcription cursor is not a file cursor.
    client.stt.create(model="stt-async-v5", audio_url="https://example.com/a.mp3")
    client.stt.create(model="stt-async-v5", audio_url="https://example.com/b.mp3")
    other = client.stt.list(limit=1).next_page_cursor
    assert other is not None
    with pytest.raises(SonioxInvalidRequestError):
        client.files.list(cursor=other)


@pytest.mark.parametrize(
    ("limit", "error_type", "message"),
    [
        ("0", "greater_than_equal", "Input should be greater than or equal to 1"),
        ("1001", "less_than_equal", "Input should be less than or equal to 1000"),
        ("abc", "int_parsing", "Input should be a valid integer, unable to parse string as an integer"),
    ],
)
def test_bad_limit_is_a_validation_error(fake_soniox: FakeSoniox, limit: str, error_type: str, message: str) -> None:
    with rest(fake_soniox) as http:
        resp = http.get("/files", params={"limit": limit})
    assert resp.status_code == 400
    body = resp.json()
    assert body["error_type"] == "invalid_request"
    assert body["validation_errors"] == [{"error_type": error_type, "location": "query.limit", "message": message}]


def test_count_get_delete_and_not_found(client: SonioxClient, fake_soniox: FakeSoniox) -> None:
    a = client.files.upload(b"a", filename="a.wav")
    client.files.upload(b"b", filename="b.wav")
    assert client.files.count() == GetFilesCountResponse(total=2, public_api=2, playground=0)
    with rest(fake_soniox) as http:
        assert_matches_oas(http.get("/files/count").json(), "/v1/files/count", "get", 200)
        assert_matches_oas(http.get(f"/files/{a.id}").json(), "/v1/files/{file_id}", "get", 200)
        deleted = http.delete(f"/files/{a.id}")
        assert deleted.status_code == 204 and deleted.content == b""
        missing = http.get(f"/files/{a.id}")
    assert missing.status_code == 404
    assert_matches_oas(missing.json(), "/v1/files/{file_id}", "get", 404)
    assert missing.json()["message"] == example_message("/v1/files/{file_id}", "get", 404)
    with pytest.raises(SonioxNotFoundError) as info:
        client.files.delete(a.id)
    assert info.value.api_error is not None and info.value.api_error.error_type == "file_not_found"
    assert client.files.get_or_none("not-a-uuid") is None
    assert client.files.count().total == 1


def test_file_count_limit_is_429(client: SonioxClient, fake_soniox: FakeSoniox) -> None:
    fake_soniox.set_limits(max_files=2)
    client.files.upload(b"1", filename="1.wav")
    client.files.upload(b"2", filename="2.wav")
    with pytest.raises(SonioxRateLimitError) as info:
        client.files.upload(b"3", filename="3.wav")
    error = info.value.api_error
    assert error is not None and error.error_type == "limit_exceeded"
    assert error.message == example_message("/v1/files", "post", 429)


def test_storage_limit_and_per_file_limit(client: SonioxClient, fake_soniox: FakeSoniox) -> None:
    fake_soniox.set_limits(max_total_file_bytes=10, max_file_bytes=6)
    with pytest.raises(SonioxInvalidRequestError):
        client.files.upload(b"1234567", filename="big.wav")
    client.files.upload(b"123456", filename="ok.wav")
    with pytest.raises(SonioxRateLimitError):
        client.files.upload(b"12345", filename="over-total.wav")
    assert len(fake_soniox.files) == 1


BOUNDARY = "emulator-test-boundary"
FILE_PART = (b'Content-Disposition: form-data; name="file"; filename="a.wav"\r\nContent-Type: audio/wav', b"RIFF1234")


def multipart(*parts: tuple[bytes, bytes]) -> bytes:
    """A multipart body built by hand, for part headers no HTTP client library would write."""
    body = b""
    for headers, data in parts:
        body += b"--" + BOUNDARY.encode() + b"\r\n" + headers + b"\r\n\r\n" + data + b"\r\n"
    return body + b"--" + BOUNDARY.encode() + b"--\r\n"


def post_multipart(emu: FakeSoniox, *parts: tuple[bytes, bytes]) -> httpx.Response:
    with rest(emu) as http:
        return http.post(
            "/files",
            content=multipart(*parts),
            headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
        )


def test_unknown_fields_are_ignored_whatever_their_names(fake_soniox: FakeSoniox) -> None:
    resp = post_multipart(
        fake_soniox,
        (b'Content-Disposition: form-data; name="caf\xc3\xa9 \\"quoted\\" name"', b"x"),
        (b'Content-Disposition: form-data; name=""', b"x"),
        (b'Content-Disposition: form-data; name="' + b"n" * 5000 + b'"', b"x"),
        (b'Content-Disposition: form-data; name="odd"\r\nContent-Transfer-Encoding: x-unheard-of', b"x"),
        (b"Content-Type: text/plain", b"no disposition at all"),
        FILE_PART,
        (b'Content-Disposition: form-data; name="file"; filename="second.wav"', b"ignored"),
        (b'Content-Disposition: form-data; name="client_reference_id"', b"ref-7"),
    )
    assert resp.status_code == 201, resp.text
    assert_matches_oas(resp.json(), "/v1/files", "post", 201)
    assert (resp.json()["filename"], resp.json()["client_reference_id"]) == ("a.wav", "ref-7")
    assert fake_soniox.file_bytes(resp.json()["id"]) == b"RIFF1234"


@pytest.mark.parametrize(
    "bad_part",
    [
        (b'Content-Disposition: form-data; name="x\x01y"', b"v"),  # a control character in a field name
        (b'Content-Disposition: form-data; name="client_reference_id"\r\nContent-Transfer-Encoding: x-odd', b"v"),
    ],
    ids=["control-char-in-name", "undecodable-reference"],
)
def test_malformed_parts_are_a_400_not_a_500(fake_soniox: FakeSoniox, bad_part: tuple[bytes, bytes]) -> None:
    for parts in ((bad_part, FILE_PART), (FILE_PART, bad_part)):
        resp = post_multipart(fake_soniox, *parts)
        assert resp.status_code == 400, resp.text
        body = resp.json()
        assert_matches_oas(body, "/v1/files", "post", 400)
        assert body["message"] == example_message("/v1/files", "post", 400)
        assert body["validation_errors"] == [
            {"error_type": "value_error", "location": "file", "message": "Malformed multipart body"}
        ]
    assert fake_soniox.files == []
    assert list(fake_soniox.state.storage_dir.iterdir()) == []  # nothing half-stored


def test_reference_with_control_characters_is_kept_as_sent(fake_soniox: FakeSoniox) -> None:
    reference = "tab\there\x00nul\x1b[31m\x7f"
    with rest(fake_soniox) as http:
        resp = http.post("/files", data={"client_reference_id": reference}, files={"file": ("a.wav", b"1")})
        too_long = http.post("/files", data={"client_reference_id": "\x01" * 257}, files={"file": ("b.wav", b"1")})
    assert resp.status_code == 201  # the OAS limits only the length
    assert resp.json()["client_reference_id"] == reference
    assert too_long.status_code == 400
    assert too_long.json()["validation_errors"] == [
        {
            "error_type": "string_too_long",
            "location": "file.client_reference_id",
            "message": "String should have at most 256 characters",
        }
    ]


def test_reference_sent_as_a_file_is_not_a_string(fake_soniox: FakeSoniox) -> None:
    with rest(fake_soniox) as http:
        resp = http.post("/files", files={"file": ("a.wav", b"1"), "client_reference_id": ("ref.txt", b"r")})
    assert resp.status_code == 400
    [issue] = resp.json()["validation_errors"]
    assert issue == {
        "error_type": "string_type",
        "location": "file.client_reference_id",
        "message": "Input should be a valid string",
    }
    assert fake_soniox.files == []
