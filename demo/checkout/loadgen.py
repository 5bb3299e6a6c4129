"""Steady traffic for the demo's checkout service: mostly good orders, some bad quantities, and
now and then an address that sends the e-mail regex into catastrophic backtracking."""
import os
import random
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

TARGET = os.environ.get("TARGET", "http://127.0.0.1:8080")


def request(params):
    url = "%s/checkout?%s" % (TARGET, urllib.parse.urlencode(params))
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
    except urllib.error.HTTPError:
        pass
    except OSError:
        time.sleep(1)  # the service is restarting; try again shortly


def main():
    rng = random.Random(int(os.environ.get("SEED", "7")))
    while True:
        roll = rng.random()
        if roll < 0.05:
            # 25 letters and a wrong domain: each extra letter doubles the regex work.
            request({"email": "a" * 25 + "@example.org", "qty": "1"})
        elif roll < 0.15:
            request({"email": "ann@example.com", "qty": rng.choice(["0", "-2", "many"])})
        else:
            request({"email": "bob.smith@example.com", "qty": str(rng.randint(1, 5)), "coupon": "SAVE-2024"})
        time.sleep(0.2)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(0)
