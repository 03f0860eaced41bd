"""Drives the CloudStack simulator with Debian's python3-cs (an independent, real client).

Usage: /usr/bin/python3 drive.py ENDPOINT KEY SECRET VOLUME_ID
Prints one JSON object with what each scenario observed; the vitest suite asserts on it.
"""
import json
import sys

from cs import CloudStack, CloudStackApiException, CloudStackException


def main():
    endpoint, key, secret, volume_id = sys.argv[1:5]
    out = {}
    api = CloudStack(endpoint=endpoint, key=key, secret=secret, timeout=10, poll_interval=0.05, job_timeout=30)

    # Signing (GET, sorted lower-cased query, HMAC-SHA1) on a plain read.
    zones = api.listZones()
    out["zones"] = zones.get("count", 0)

    # Paging: more than one page of 500, read with fetch_list until count is reached.
    volumes = api.listVolumes(listall=True, fetch_list=True)
    out["volumes"] = len(volumes)
    out["distinct_volumes"] = len({v["id"] for v in volumes})
    out["allocated_with_storage"] = [v["id"] for v in volumes if v.get("state") == "Allocated" and ("storageid" in v or "path" in v or "storage" in v)]

    # An async job with unicode in a tag, waited for through queryAsyncJobResult.
    value = "Zürich ✓ 東京"
    job = api.createTags(resourcetype="Volume", resourceids=volume_id, fetch_result=True, **{"tags[0].key": "python-cs/ünïcode", "tags[0].value": value})
    out["tag_job"] = job.get("success") if isinstance(job, dict) else job
    tags = api.listTags(resourceid=volume_id, listall=True, fetch_list=True)
    out["tag_back"] = [t["value"] for t in tags if t["key"] == "python-cs/ünïcode"]

    # A wrong secret: CloudStack answers 401 with its error envelope.
    wrong = CloudStack(endpoint=endpoint, key=key, secret="not-the-secret", timeout=10)
    try:
        wrong.listZones()
        out["wrong_secret"] = "accepted"
    except CloudStackApiException as e:
        out["wrong_secret"] = {"status": e.response.status_code, "error": e.error, "x_description": e.response.headers.get("X-Description")}
    except CloudStackException as e:
        out["wrong_secret"] = {"exception": str(e)}

    # A refused parameter: the error text also travels in X-Description, raw as CloudStack sends it.
    try:
        api.listVolumes(id="00000000-0000-4000-8000-00000000dead")
        out["bad_id"] = "accepted"
    except CloudStackApiException as e:
        out["bad_id"] = {"status": e.response.status_code, "errortext": e.error.get("errortext"), "x_description": e.response.headers.get("X-Description")}

    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
