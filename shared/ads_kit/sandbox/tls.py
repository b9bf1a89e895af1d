"""A throw-away TLS identity for loopback: a self-signed certificate for localhost and 127.0.0.1.

The gRPC plug-ins serve with it (the unmodified google-ads client only speaks TLS), and clients
trust it through the connection file's `tls_cert` (e.g. `GRPC_DEFAULT_SSL_ROOTS_FILE_PATH`).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass(frozen=True, slots=True)
class TlsIdentity:
    cert_pem: bytes
    key_pem: bytes

    def write(self, directory: Path) -> tuple[Path, Path]:
        """Write `sandbox-cert.pem` and `sandbox-key.pem` (key mode 0600) into `directory`."""
        cert_path, key_path = directory / "sandbox-cert.pem", directory / "sandbox-key.pem"
        cert_path.write_bytes(self.cert_pem)
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(self.key_pem)
        return cert_path, key_path


def self_signed() -> TlsIdentity:
    """A new key and a 30-day certificate naming localhost and 127.0.0.1."""
    key = ec.generate_private_key(ec.SECP256R1())  # milliseconds, unlike RSA, so startup stays fast
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    # The real clock, not ads_kit.clock: TLS clients check validity against the system's time, so a
    # certificate dated from a pinned ADS_NOW would be expired or not yet valid.
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return TlsIdentity(certificate.public_bytes(serialization.Encoding.PEM), key_pem)
