"""checkout: the demo's misbehaving production service.

A small HTTP service that validates coupon codes and e-mail addresses. The e-mail pattern has
nested quantifiers, so an address that almost matches makes the regex engine backtrack
exponentially: one request like that pins a CPU for seconds, which is the incident the demo
investigates. Requests are logged to LOG_DIR/checkout.log, failures with their traceback.
"""
import json
import logging
import os
import re
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

LOG_DIR = os.environ.get("LOG_DIR", "/var/log/checkout")
PORT = int(os.environ.get("PORT", "8080"))

# The bug: `([a-z0-9]+\.?)+` can split "aaaa…" in exponentially many ways before failing.
EMAIL_PATTERN = re.compile(r"^([a-z0-9]+\.?)+@example\.com$")
COUPON_PATTERN = re.compile(r"^[A-Z]{4}-\d{4}$")

log = logging.getLogger("checkout")


def validate_email(address):
    if not EMAIL_PATTERN.match(address):
        raise ValueError("invalid e-mail address: %r" % address[:40])
    return address


def parse_quantity(raw):
    quantity = int(raw)
    if quantity <= 0:
        raise ValueError("quantity must be positive, got %d" % quantity)
    return quantity


def checkout(params):
    email = validate_email(params.get("email", [""])[0])
    quantity = parse_quantity(params.get("qty", ["1"])[0])
    coupon = params.get("coupon", [""])[0]
    discount = 10 if coupon and COUPON_PATTERN.match(coupon) else 0
    return {"email": email, "quantity": quantity, "discount": discount}


class CheckoutHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urlparse(self.path)
        started = time.monotonic()
        if url.path == "/health":
            return self.reply(200, {"ok": True})
        if url.path != "/checkout":
            return self.reply(404, {"error": "not found"})
        try:
            order = checkout(parse_qs(url.query))
        except ValueError as error:
            log.exception("checkout failed: %s", error)
            return self.reply(400, {"error": str(error)})
        finally:
            log.info("GET %s %.0f ms", url.path, (time.monotonic() - started) * 1000)
        return self.reply(200, order)

    def reply(self, status, body):
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass  # the access log above replaces http.server's stderr lines


def main():
    os.makedirs(LOG_DIR, exist_ok=True)
    logging.basicConfig(
        filename=os.path.join(LOG_DIR, "checkout.log"),
        level=logging.INFO,
        format="%(asctime)s %(levelname)s [%(threadName)s] %(message)s",
    )
    server = ThreadingHTTPServer(("127.0.0.1", PORT), CheckoutHandler)
    log.info("checkout listening on 127.0.0.1:%d (pid %d)", PORT, os.getpid())
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
