#!/usr/bin/env python3
"""Independent check of a flattened JWS (RFC 7515) made by the AECM client:
verifies its ES256/RS256 signature with the `cryptography` package against the
embedded JWK, and prints the RFC 7638 thumbprint of that JWK computed here,
then the decoded protected header and payload, one per line."""
import base64, hashlib, json, sys

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils


def b64u_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def main():
    jws = json.loads(sys.stdin.read())
    header = json.loads(b64u_decode(jws["protected"]))
    jwk = header["jwk"]
    signing_input = (jws["protected"] + "." + jws["payload"]).encode()
    signature = b64u_decode(jws["signature"])
    if jwk["kty"] == "EC":
        x = int.from_bytes(b64u_decode(jwk["x"]), "big")
        y = int.from_bytes(b64u_decode(jwk["y"]), "big")
        key = ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
        assert len(signature) == 64, "ES256 signature is r||s, 64 bytes"
        der = utils.encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
        key.verify(der, signing_input, ec.ECDSA(hashes.SHA256()))
        canonical = {"crv": jwk["crv"], "kty": "EC", "x": jwk["x"], "y": jwk["y"]}
    else:
        n = int.from_bytes(b64u_decode(jwk["n"]), "big")
        e = int.from_bytes(b64u_decode(jwk["e"]), "big")
        key = rsa.RSAPublicNumbers(e, n).public_key()
        key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
        canonical = {"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"))
    print(b64u(hashlib.sha256(text.encode()).digest()))
    print(b64u_decode(jws["protected"]).decode())
    print(b64u_decode(jws["payload"]).decode())


main()
