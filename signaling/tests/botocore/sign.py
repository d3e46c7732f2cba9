"""Signs KVS requests with botocore (AWS's own Python signer) for tests/botocore.rs.

Reads a JSON list of cases on stdin, prints a JSON list of results on stdout:
  {"kind": "post", "url", "body", "content_type", creds..., "region", "time"}
      -> {"authorization", "x_amz_date", "x_amz_security_token"}   (SigV4Auth)
  {"kind": "wss", "host", "channel_arn", "client_id", "expires", creds..., "region", "time"}
      -> {"url"}                                                  (SigV4QueryAuth)
creds: "access_key", "secret_key", "token" (null for long-term keys).
"time" is seconds since the epoch; botocore's clock is frozen to it. No network.
"""

import datetime
import json
import sys

import botocore
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def freeze(unix):
    at = datetime.datetime.fromtimestamp(unix, tz=datetime.timezone.utc).replace(tzinfo=None)
    botocore.auth.get_current_datetime = lambda: at


def sign(case):
    creds = Credentials(case["access_key"], case["secret_key"], case.get("token"))
    freeze(case["time"])
    if case["kind"] == "post":
        headers = {}
        if case.get("content_type") is not None:
            headers["Content-Type"] = case["content_type"]
        req = AWSRequest(method="POST", url=case["url"], data=case["body"].encode(), headers=headers)
        botocore.auth.SigV4Auth(creds, "kinesisvideo", case["region"]).add_auth(req)
        return {
            "authorization": req.headers["Authorization"],
            "x_amz_date": req.headers["X-Amz-Date"],
            "x_amz_security_token": req.headers.get("X-Amz-Security-Token"),
        }
    if case["kind"] == "wss":
        params = {"X-Amz-ChannelARN": case["channel_arn"]}
        if case.get("client_id") is not None:
            params["X-Amz-ClientId"] = case["client_id"]
        req = AWSRequest(method="GET", url="wss://%s/" % case["host"], params=params)
        botocore.auth.SigV4QueryAuth(
            creds, "kinesisvideo", case["region"], expires=case["expires"]
        ).add_auth(req)
        return {"url": req.url}
    raise ValueError("unknown kind %r" % case["kind"])


def main():
    cases = json.load(sys.stdin)
    json.dump({"botocore": botocore.__version__, "results": [sign(c) for c in cases]}, sys.stdout)


if __name__ == "__main__":
    main()
