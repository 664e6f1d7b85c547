"""Key material generated on first start into COREBANK_KEY_DIR (default var/keys, git-ignored).

- `jwt_private.pem`: RSA key signing the OAuth2 access tokens (public half served as JWKS).
- `vault.key`: Fernet key encrypting card numbers and secrets in the vault
  (COREBANK_VAULT_KEY overrides it), also the HMAC key for PAN lookup hashes and OTP hashes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from corebank.core.settings import get_settings


def _write_once(path: Path, data: bytes) -> None:
    """Create `path` with mode 0600 unless another process won the race."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def ensure_keys(key_dir: Path | None = None) -> None:
    key_dir = key_dir or get_settings().key_dir
    private = key_dir / "jwt_private.pem"
    if not private.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        _write_once(private, key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ))
    if not os.environ.get("COREBANK_VAULT_KEY"):
        _write_once(key_dir / "vault.key", Fernet.generate_key())


@lru_cache(maxsize=1)
def jwt_private_key():
    ensure_keys()
    pem = (get_settings().key_dir / "jwt_private.pem").read_bytes()
    return serialization.load_pem_private_key(pem, password=None)


@lru_cache(maxsize=1)
def jwt_public_key():
    return jwt_private_key().public_key()


def _b64(n: int) -> str:
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@lru_cache(maxsize=1)
def jwk() -> dict:
    numbers = jwt_public_key().public_numbers()
    n, e = _b64(numbers.n), _b64(numbers.e)
    # RFC 7638 thumbprint as key id: stable for the key, changes when the key is rotated.
    canonical = f'{{"e":"{e}","kty":"RSA","n":"{n}"}}'.encode()
    kid = base64.urlsafe_b64encode(hashlib.sha256(canonical).digest()).rstrip(b"=").decode()
    return {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid, "n": n, "e": e}


@lru_cache(maxsize=1)
def _vault_key() -> bytes:
    env_key = os.environ.get("COREBANK_VAULT_KEY")
    if env_key:
        return env_key.encode()
    ensure_keys()
    return (get_settings().key_dir / "vault.key").read_bytes().strip()


@lru_cache(maxsize=1)
def fernet() -> Fernet:
    return Fernet(_vault_key())


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    return fernet().decrypt(token.encode()).decode()


def keyed_hash(*parts: str) -> str:
    """HMAC-SHA256 under the vault key: lookup hashes for PANs, OTP and step-up token hashes."""
    msg = "\x1f".join(parts).encode()
    return hmac.new(_vault_key(), msg, hashlib.sha256).hexdigest()
