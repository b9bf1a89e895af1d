"""Run by test_grpc in its own process: the unmodified GoogleAdsClient against a sandbox's gRPC
endpoint, trusting the sandbox's certificate through GRPC_DEFAULT_SSL_ROOTS_FILE_PATH (read once per
process, which is why this is a process of its own). Prints one JSON line: each call's outcome."""

from __future__ import annotations

import json
import sys

from google.ads.googleads.client import GoogleAdsClient
from google.ads.googleads.errors import GoogleAdsException
from google.ads.googleads.v26.errors.types.errors import GoogleAdsFailure
from google.api_core import exceptions
from google.oauth2.credentials import Credentials

FAILURE_KEY = "google.ads.googleads.v26.errors.googleadsfailure-bin"


def main(endpoint: str, token: str, developer_token: str, *customers: str) -> None:
    client = GoogleAdsClient(
        credentials=Credentials(token=token),
        developer_token=developer_token,
        endpoint=endpoint,
        use_proto_plus=False,
        version="v26",
    )
    service = client.get_service("GoogleAdsService")  # kept referenced while streaming (reference §6.4)
    outcomes = []
    for customer in customers:
        try:
            stream = service.search_stream(customer_id=customer, query="SELECT customer.id FROM customer")
            outcomes.append({"rows": [row.customer.id for batch in stream for row in batch.results]})
        except exceptions.ResourceExhausted as exc:  # the library leaves the failure in the trailers
            failure = GoogleAdsFailure.deserialize(dict(exc.response.trailing_metadata())[FAILURE_KEY])
            delay = failure.errors[0].details.quota_error_details.retry_delay.total_seconds()
            outcomes.append({"error": "ResourceExhausted", "retry_delay_s": delay})
        except GoogleAdsException as exc:
            outcomes.append({"error": exc.error.code().name, "request_id": exc.request_id})
    print(json.dumps(outcomes))


if __name__ == "__main__":
    main(*sys.argv[1:])
