#!/usr/bin/python3
"""mkimage.py DIR - writes a tiny single-layer OCI image layout to DIR
(tag "latest"), for pushing to a loopback registry with skopeo: no engine,
no network, deterministic bytes."""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile


def blob(root, data):
    digest = hashlib.sha256(data).hexdigest()
    path = os.path.join(root, "blobs", "sha256", digest)
    with open(path, "wb") as f:
        f.write(data)
    return "sha256:" + digest


def layer_tar():
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        body = b"hello from the cobo-credential test image\n"
        info = tarfile.TarInfo("hello.txt")
        info.size = len(body)
        info.mtime = 0
        info.mode = 0o644
        tar.addfile(info, io.BytesIO(body))
    return buf.getvalue()


def main(root):
    os.makedirs(os.path.join(root, "blobs", "sha256"), exist_ok=True)
    tar = layer_tar()
    gz = gzip.compress(tar, mtime=0)
    layer = blob(root, gz)
    config = json.dumps({
        "architecture": "amd64", "os": "linux", "config": {},
        "rootfs": {"type": "layers",
                   "diff_ids": ["sha256:" + hashlib.sha256(tar).hexdigest()]},
    }, sort_keys=True).encode()
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": blob(root, config), "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                    "digest": layer, "size": len(gz)}],
    }, sort_keys=True).encode()
    index = {
        "schemaVersion": 2,
        "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": blob(root, manifest), "size": len(manifest),
            "annotations": {"org.opencontainers.image.ref.name": "latest"},
        }],
    }
    with open(os.path.join(root, "index.json"), "w") as f:
        json.dump(index, f)
    with open(os.path.join(root, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)


if __name__ == "__main__":
    main(sys.argv[1])
