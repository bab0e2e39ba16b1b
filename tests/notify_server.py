"""A local stand-in for GOV.UK Notify's API, for the official client to talk to.

It speaks the part of Notify's contract LPC 360 uses (docs.notifications.service.gov.uk):

- every request carries ``Authorization: Bearer <JWT>``, HS256-signed with the secret half
  of the API key, ``iss`` the service id, ``iat`` within 30 seconds of now; anything else
  is answered 403 with Notify's error body;
- ``POST /v2/notifications/email`` takes ``email_address``, ``template_id``,
  ``personalisation`` and ``reference``; a template id it does not know, or a missing
  field, is 400; success is 201 with an ``id``;
- ``GET /v2/notifications/<id>`` answers the notification with its ``status``.

Tests can make the next sends fail (``fail_next(status, times)``: 400/403/429/500) and set
what Notify reports about a notification (``set_status``). It runs on a loopback thread;
``start()`` returns its base URL.
"""

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
API_KEY = f"lpc360_test-{SERVICE_ID}-{SECRET}"

ERROR_BODIES = {
    400: ("BadRequestError", "Can't send to this recipient using a team-only API key"),
    403: ("AuthError", "Invalid token: API key not found"),
    429: (
        "RateLimitError",
        "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds",
    ),
    500: ("Exception", "Internal server error"),
}


@dataclass
class FakeNotify:
    templates: set[str] = field(default_factory=set)
    template_ids: dict[str, str] = field(default_factory=dict)  # kind → id, for tests
    service_id: str = SERVICE_ID
    secret: str = SECRET
    sent: list[dict] = field(default_factory=list)  # the bodies of accepted emails, in order
    notifications: dict[str, dict] = field(default_factory=dict)
    refused: list[tuple[int, str]] = field(default_factory=list)  # (status, why) per refusal
    _failures: list[int] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, status: int, times: int = 1) -> None:
        with self._lock:
            self._failures.extend([status] * times)

    def set_status(self, notification_id: str, status: str) -> None:
        with self._lock:
            self.notifications[notification_id]["status"] = status

    def start(self) -> str:
        notify = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _answer(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _error(self, status: int, message: str | None = None) -> None:
                error, default = ERROR_BODIES.get(status, ("Exception", "Error"))
                notify.refused.append((status, message or default))
                self._answer(
                    status,
                    {
                        "status_code": status,
                        "errors": [{"error": error, "message": message or default}],
                    },
                )

            def _authorised(self) -> bool:
                header = self.headers.get("Authorization", "")
                if not header.startswith("Bearer "):
                    self._error(403, "Unauthorized: authentication token must be provided")
                    return False
                try:
                    claims = jwt.decode(
                        header.removeprefix("Bearer "),
                        notify.secret,
                        algorithms=["HS256"],
                        options={"require": ["iss", "iat"], "verify_iat": True},
                    )
                except jwt.PyJWTError as exc:
                    self._error(403, f"Invalid token: {exc}")
                    return False
                if claims["iss"] != notify.service_id:
                    self._error(403, "Invalid token: service not found")
                    return False
                if abs(time.time() - claims["iat"]) > 30:
                    self._error(
                        403, "Error: Your system clock must be accurate to within 30 seconds"
                    )
                    return False
                return True

            def _injected_failure(self) -> bool:
                with notify._lock:
                    status = notify._failures.pop(0) if notify._failures else None
                if status is not None:
                    self._error(status)
                return status is not None

            def do_POST(self):
                if not self._authorised() or self._injected_failure():
                    return
                if self.path != "/v2/notifications/email":
                    return self._error(404, "Not found")
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                for name in ("email_address", "template_id"):
                    if not body.get(name):
                        return self._error(400, f"{name} is a required property")
                if body["template_id"] not in notify.templates:
                    return self._error(400, "Template not found")
                if not isinstance(body.get("personalisation", {}), dict):
                    return self._error(400, "personalisation is not of type object")
                if "@" not in body["email_address"]:
                    return self._error(400, "email_address Not a valid email address")
                notification_id = str(uuid.uuid4())
                with notify._lock:
                    notify.sent.append(body)
                    notify.notifications[notification_id] = {
                        "id": notification_id,
                        "reference": body.get("reference"),
                        "email_address": body["email_address"],
                        "type": "email",
                        "status": "sending",
                        "template": {"id": body["template_id"], "version": 1},
                    }
                self._answer(
                    201,
                    {
                        "id": notification_id,
                        "reference": body.get("reference"),
                        "content": {
                            "subject": body.get("personalisation", {}).get("subject", ""),
                            "body": body.get("personalisation", {}).get("body", ""),
                            "from_email": "lpc360@notifications.service.gov.uk",
                        },
                        "uri": f"/v2/notifications/{notification_id}",
                        "template": {"id": body["template_id"], "version": 1, "uri": ""},
                    },
                )

            def do_GET(self):
                if not self._authorised() or self._injected_failure():
                    return
                prefix = "/v2/notifications/"
                notification = notify.notifications.get(self.path.removeprefix(prefix))
                if not self.path.startswith(prefix) or notification is None:
                    return self._error(404, "No result found")
                self._answer(200, notification)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
