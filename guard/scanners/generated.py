"""Which repository files a generator or a bundler wrote, by their names: tools guard runs spend their
time there for nothing a person could fix in that file."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

# protobuf's C++ for opentelemetry-demo's currency service (demo.pb.h, demo.pb.cc) took detect-secrets
# 10 s of its 27, line by line through every detector; a secret there would come from the source it was
# generated from, which is scanned. Kubernetes CustomResourceDefinitions (a chart's crds/ folder,
# crd-*.yaml) are API schemas controller-gen writes: prometheus-community/helm-charts' 21 CRDs (9.5 MB)
# took it most of its 40 s and held nothing. (trivy's secret scanner still reads all of these.)
_GENERATED = re.compile(r".+\.pb\.(?:h|cc|go|swift|dart)|.+\.grpc\.pb\.(?:h|cc)|.+_pb2(?:_grpc)?\.pyi?"
                        r"|.+\.min\.(?:js|mjs|css)|.+\.(?:js|mjs|css)\.map"
                        r"|(?:crds?[-_.].+|.+[-_.]crds?)\.ya?ml", re.IGNORECASE)


def generated_code(rel: str) -> bool:
    """Whether `rel` is code a protobuf generator wrote, a bundler minified, or a CRD, by its name (and
    for a CRD, a chart's `crds/` folder)."""
    path = PurePosixPath(rel)
    return _GENERATED.fullmatch(path.name) is not None or (
        path.suffix.lower() in (".yaml", ".yml") and "crds" in (p.lower() for p in path.parts[:-1]))
