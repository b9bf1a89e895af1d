"""The bare loop of ``bench.google_ads``: SearchStream each window of each customer and write one
RECORD line per row. Imports the google-ads library and msgspec only (no ads_kit, no singer-sdk).

    python bench/google_ads_loop.py job.json
"""

import json
import sys
from pathlib import Path

import msgspec
from google.ads.googleads.client import GoogleAdsClient
from google.oauth2.credentials import Credentials


def column(path: str) -> str:
    head, _, rest = path.partition(".")
    return (rest if head in ("metrics", "segments") else path).replace(".", "_")


def main(job_path: str) -> int:
    job = json.loads(Path(job_path).read_text())
    client = GoogleAdsClient(
        credentials=Credentials(token=job["token"]),
        developer_token=job["developer_token"],
        endpoint=job["endpoint"],
        login_customer_id=job["login"],
        use_proto_plus=False,
        version="v26",
    )
    service = client.get_service("GoogleAdsService")  # kept referenced while streams are read
    encoder = msgspec.json.Encoder()
    out = sys.stdout.buffer
    fields = job["fields"]
    readers = None
    for customer, windows in job["windows"].items():
        for since, until in windows:
            where = f"segments.date BETWEEN '{since}' AND '{until}'"
            query = f"SELECT {', '.join(fields)} FROM ad_group_ad WHERE {where}"
            for batch in service.search_stream(customer_id=customer, query=query):
                for row in batch.results:
                    if readers is None:
                        readers = []
                        for path in fields:
                            *parents, leaf = path.split(".")
                            message = row
                            for part in parents:
                                message = getattr(message, part)
                            by_name = message.DESCRIPTOR.fields_by_name
                            descriptor = by_name.get(leaf) or by_name[f"{leaf}_"]
                            readers.append((column(path), parents, descriptor.name, descriptor.enum_type))
                    record = {"customer_id": customer}
                    for name, parents, leaf, enum_type in readers:
                        message = row
                        for part in parents:
                            message = getattr(message, part)
                        value = getattr(message, leaf)
                        record[name] = enum_type.values_by_number[value].name if enum_type else value
                    out.write(encoder.encode({"type": "RECORD", "stream": job["stream"], "record": record}))
                    out.write(b"\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
