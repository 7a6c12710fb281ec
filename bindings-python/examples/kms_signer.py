"""Qencode playback tokens signed by a key that never leaves AWS KMS.

qencode-cdn builds each token and AWS KMS signs it (RSASSA_PKCS1_V1_5_SHA_256
is RS256); the library checks every signature with the key's public half
before it returns a token, so a wrong key or a failing KMS call is an error,
never a URL the edge refuses. Run as it is, the script starts moto's KMS
emulator on loopback, creates an RSA-4096 key there and signs with it:

    pip install qencode-cdn boto3 moto flask flask-cors
    python kms_signer.py

In production, pass your own `boto3.client("kms")`, the key's ARN and the id
Qencode knows the signing key by, and leave moto out.
"""

from __future__ import annotations

from typing import Any

import boto3

from qencode_cdn import Signer, Verifier


def kms_signer(kms: Any, key_arn: str, key_id: str) -> Signer:
    """A Signer whose private key stays in KMS: `key_id` is the tokens' `kid`."""
    public_key = kms.get_public_key(KeyId=key_arn)["PublicKey"]  # DER SubjectPublicKeyInfo

    def sign(signing_input: bytes) -> bytes:
        answer = kms.sign(
            KeyId=key_arn,
            Message=signing_input,
            MessageType="RAW",
            SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256",
        )
        signature: bytes = answer["Signature"]
        return signature

    # Each KMS call may take at most 10 s (a late one is QencodeTimeoutError);
    # an exception from boto3 is the __cause__ of the SignerFailedError raised.
    return Signer.external(key_id, public_key, sign, timeout=10, name=f"AWS KMS {key_arn}")


def main() -> None:
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        kms = boto3.client(
            "kms",
            region_name="us-east-1",
            endpoint_url=f"http://{host}:{port}",
            aws_access_key_id="moto",
            aws_secret_access_key="moto",
        )
        key = kms.create_key(KeySpec="RSA_4096", KeyUsage="SIGN_VERIFY", Description="Qencode playback tokens")
        key_arn = key["KeyMetadata"]["Arn"]

        signer = kms_signer(kms, key_arn, "my-signing-key-id")
        url = signer.signed_live_url("abc123", expires_in=600)
        print(url)

        # Anyone holding the public key can check the token (the edge does).
        verifier = Verifier(kms.get_public_key(KeyId=key_arn)["PublicKey"], key_id="my-signing-key-id")
        claims = verifier.verify(url.split("auth=", 1)[1])
        print(f"verified with the KMS public key: uri={claims['uri']} ({signer.key_bits}-bit key)")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
