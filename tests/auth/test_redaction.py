from __future__ import annotations

import io
import logging
import logging.config
import secrets

import pytest

from ads_kit.redaction import MASK, install_redaction, redact, register_secrets

META_TOKEN = "EAAGm0PX4ZCpsBAKZB" + "a1B2c3D4e5" * 8
GOOGLE_ACCESS = "ya29.a0AfB_byC" + "Zx-9_yQ" * 12
GOOGLE_REFRESH = "1//0gXk2cVt" + "Lm_9-Qz" * 10
TIKTOK_TOKEN = "8f1c2d3e4b5a69788796a5b4c3d2e1f0a9b8c7d6"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (f"GET /v26.0/me?access_token={META_TOKEN}&fields=id", META_TOKEN),
        (f"calling with token {META_TOKEN}", META_TOKEN),
        (f"credentials refreshed: {GOOGLE_ACCESS}", GOOGLE_ACCESS),
        (f"refresh_token is {GOOGLE_REFRESH}", GOOGLE_REFRESH),
        ("Authorization: Bearer abc.DEF-123_xyz", "abc.DEF-123_xyz"),
        ("POST body client_secret=GOCSPX-s3cr3tValue&grant_type=refresh_token", "GOCSPX-s3cr3tValue"),
        (
            "url ...&appsecret_proof=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "9f86d0818",
        ),
        ('{"access_token": "opaque-token-value", "expires_in": 3599}', "opaque-token-value"),
        ("{'refresh_token': 'opaque-refresh-value'}", "opaque-refresh-value"),
        (f"headers={{'Access-Token': '{TIKTOK_TOKEN}'}}", TIKTOK_TOKEN),
        (f'{{"app_id": "7", "secret": "{TIKTOK_TOKEN}"}}', TIKTOK_TOKEN),
        ("metadata: [('developer-token', 'aBcD-1234_efGH5678ijkl')]", "aBcD-1234_efGH5678ijkl"),
    ],
)
def test_token_shaped_values_are_masked(text: str, secret: str) -> None:
    cleaned = redact(text)
    assert secret not in cleaned
    assert MASK in cleaned


def test_labels_and_ordinary_text_survive() -> None:
    cleaned = redact(f"GET /v26.0/act_123/insights?access_token={META_TOKEN}&level=ad")
    assert cleaned == f"GET /v26.0/act_123/insights?access_token={MASK}&level=ad"
    # A 40-hex value outside a token context (a commit id, a request id) is not a secret.
    sha = "0123456789abcdef0123456789abcdef01234567"
    assert redact(f"built from {sha}") == f"built from {sha}"
    assert redact("error code=190 subcode=463 for account 1234567890") == (
        "error code=190 subcode=463 for account 1234567890"
    )


def test_registered_secret_values_are_masked_wherever_they_appear() -> None:
    secret = secrets.token_hex(12)
    register_secrets([secret, None, "abc"])  # short and empty values are ignored, not masked everywhere
    assert redact(f"opaque value {secret}!") == f"opaque value {MASK}!"
    assert redact("abc is fine") == "abc is fine"


def _capture(logger_name: str) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    return logger, stream


@pytest.mark.usefixtures("restore_logging")
def test_filter_cleans_message_args_and_exception_traceback() -> None:
    secret = "sk-" + secrets.token_hex(16)
    install_redaction([secret])
    logger, stream = _capture("tap_meta_ads.client")

    logger.info("token %s used for %s", secret, "act_1")
    logger.info(f"inline {secret}")
    logger.warning("request failed: %r", {"url": f"https://x/y?access_token={META_TOKEN}"})
    try:
        raise RuntimeError(f"upstream rejected {secret} / {GOOGLE_ACCESS}")
    except RuntimeError:
        logger.exception("sync failed")

    output = stream.getvalue()
    assert secret not in output
    assert META_TOKEN not in output
    assert GOOGLE_ACCESS not in output
    assert "used for act_1" in output  # the rest of the record is untouched
    assert "RuntimeError: upstream rejected [REDACTED]" in output
    assert "Traceback" in output


@pytest.mark.usefixtures("restore_logging")
def test_handlers_configured_after_installation_are_covered() -> None:
    secret = "late-" + secrets.token_hex(12)
    install_redaction([secret])
    stream = io.StringIO()
    # singer-sdk replaces the logging configuration at start-up, dropping filters on old handlers.
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,  # other tests' loggers must keep working
            "handlers": {"mem": {"class": "logging.StreamHandler", "stream": stream}},
            "root": {"handlers": ["mem"], "level": "INFO"},
        }
    )
    logging.getLogger("singer_sdk.tap").info("config %s", {"client_secret": secret})
    assert "config" in stream.getvalue()
    assert secret not in stream.getvalue()


@pytest.mark.usefixtures("restore_logging")
def test_a_malformed_logging_call_does_not_raise_at_the_caller() -> None:
    install_redaction([])
    logger, stream = _capture("ads_kit.tests.malformed")
    logger.propagate = False  # pytest's own capture handler raises on malformed records
    logger.info("two placeholders %s %s", "only one")  # logging reports this itself, on stderr
    logger.info("next line %s", f"access_token={META_TOKEN}")
    assert stream.getvalue().strip().endswith(f"next line access_token={MASK}")


@pytest.mark.usefixtures("restore_logging")
def test_installing_twice_does_not_stack_filters() -> None:
    first = install_redaction([])
    second = install_redaction([])
    root = logging.getLogger()
    assert first is second
    assert root.filters.count(first) == 1
    assert getattr(logging.getLogRecordFactory(), "redacting", False)


def test_prose_after_an_auth_scheme_word_is_kept() -> None:
    # Meta's own error text says "Invalid OAuth access token"; only token-shaped values are masked.
    assert redact("Invalid OAuth access token.") == "Invalid OAuth access token."
    assert "abcdef0123456789abcdef" not in redact("Authorization: Bearer abcdef0123456789abcdef")
