"""hadolint rules: title, guard severity and CWE (hadolint's SARIF carries no rule metadata).

Titles follow hadolint's own rule messages (https://github.com/hadolint/hadolint#rules).
Severity is guard's: running as root, remote ADD and piping downloads to a shell are the security
relevant ones; the rest are build hygiene. ShellCheck rules (SCxxxx) get a generic entry.
"""

from guard.model import Severity

H, M, L, I = Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO

# fmt: off
RULES: dict[str, tuple[str, Severity, tuple[str, ...]]] = {
    # a file hadolint cannot parse (its parser lacks some BuildKit syntax): not checked, reported low
    "DL1000": ("hadolint could not parse this Dockerfile, so none of its checks ran on it", L, ()),
    "DL3000": ("Use absolute WORKDIR", L, ()),
    "DL3001": ("Some bash commands make no sense in a Docker container (ssh, vim, shutdown, service, ps, free, top, kill, mount, ifconfig)", L, ()),
    "DL3002": ("Last USER should not be root", M, ("CWE-250",)),
    "DL3003": ("Use WORKDIR to switch to a directory", I, ()),
    "DL3004": ("Do not use sudo as it leads to unpredictable behavior", M, ("CWE-250",)),
    "DL3006": ("Always tag the version of an image explicitly", L, ("CWE-1357",)),
    "DL3007": ("Using latest is prone to errors if the image will ever update; pin the version explicitly", L, ("CWE-1357",)),
    "DL3008": ("Pin versions in apt-get install", L, ("CWE-1357",)),
    "DL3009": ("Delete the apt-get lists after installing something", I, ()),
    "DL3010": ("Use ADD for extracting archives into an image", I, ()),
    "DL3011": ("Valid UNIX ports range from 0 to 65535", L, ()),
    "DL3012": ("Multiple HEALTHCHECK instructions", L, ()),
    "DL3013": ("Pin versions in pip", L, ("CWE-1357",)),
    "DL3014": ("Use the -y switch to avoid manual input with apt-get install", I, ()),
    "DL3015": ("Avoid additional packages by specifying --no-install-recommends", I, ()),
    "DL3016": ("Pin versions in npm", L, ("CWE-1357",)),
    "DL3018": ("Pin versions in apk add", L, ("CWE-1357",)),
    "DL3019": ("Use the --no-cache switch to avoid the need to use --update and remove /var/cache/apk/*", I, ()),
    "DL3020": ("Use COPY instead of ADD for files and folders", L, ("CWE-829",)),
    "DL3021": ("COPY with more than 2 arguments requires the last argument to end with /", L, ()),
    "DL3022": ("COPY --from should reference a previously defined FROM alias", L, ()),
    "DL3023": ("COPY --from cannot reference its own FROM alias", L, ()),
    "DL3024": ("FROM aliases (stage names) must be unique", L, ()),
    "DL3025": ("Use arguments JSON notation for CMD and ENTRYPOINT arguments", I, ()),
    "DL3026": ("Use only an allowed registry in the FROM image", M, ("CWE-1357",)),
    "DL3027": ("Do not use apt as it is meant to be an end-user tool, use apt-get or apt-cache instead", I, ()),
    "DL3028": ("Pin versions in gem install", L, ("CWE-1357",)),
    "DL3029": ("Do not use --platform flag with FROM", I, ()),
    "DL3030": ("Use the -y switch to avoid manual input with yum install", I, ()),
    "DL3032": ("yum clean all missing after yum command", I, ()),
    "DL3033": ("Specify version with yum install", L, ("CWE-1357",)),
    "DL3034": ("Non-interactive switch missing from zypper command", I, ()),
    "DL3035": ("Do not use zypper dist-upgrade", I, ()),
    "DL3036": ("zypper clean missing after zypper use", I, ()),
    "DL3037": ("Specify version with zypper install", L, ("CWE-1357",)),
    "DL3038": ("Use the -y switch to avoid manual input with dnf install", I, ()),
    "DL3040": ("dnf clean all missing after dnf command", I, ()),
    "DL3041": ("Specify version with dnf install", L, ("CWE-1357",)),
    "DL3042": ("Avoid the use of cache directory with pip; use pip install --no-cache-dir", I, ()),
    "DL3043": ("ONBUILD, FROM or MAINTAINER triggered from within ONBUILD instruction", L, ()),
    "DL3044": ("Do not refer to an environment variable within the same ENV statement where it is defined", L, ()),
    "DL3045": ("COPY to a relative destination without WORKDIR set", L, ()),
    "DL3046": ("useradd without flag -l and high UID will result in excessively large image", I, ()),
    "DL3047": ("wget without flag --progress will result in excessively bloated build logs", I, ()),
    "DL3048": ("Invalid label key", I, ()),
    "DL3049": ("Label is missing", I, ()),
    "DL3050": ("Superfluous label(s) present", I, ()),
    "DL3051": ("Label is empty", I, ()),
    "DL3052": ("Label is not a valid URL", I, ()),
    "DL3053": ("Label is not a valid time format", I, ()),
    "DL3054": ("Label is not a valid SPDX license identifier", I, ()),
    "DL3055": ("Label is not a valid git hash", I, ()),
    "DL3056": ("Label does not conform to semantic versioning", I, ()),
    "DL3057": ("HEALTHCHECK instruction missing", L, ()),
    "DL3058": ("Label is not a valid email format", I, ()),
    "DL3059": ("Multiple consecutive RUN instructions; consider consolidation", I, ()),
    "DL3060": ("yarn cache clean missing after yarn install", I, ()),
    "DL3061": ("Invalid instruction order: Dockerfile must begin with FROM, ARG or comment", L, ()),
    "DL3062": ("Pin versions in go install", L, ("CWE-1357",)),
    "DL3063": ("Pin versions in pip when installing from a requirements file", L, ("CWE-1357",)),
    "DL3064": ("Potentially sensitive data should not be used in the ARG or ENV commands", M, ("CWE-538",)),
    "DL4000": ("MAINTAINER is deprecated", I, ()),
    "DL4001": ("Either use wget or curl but not both", I, ()),
    "DL4003": ("Multiple CMD instructions found", L, ()),
    "DL4004": ("Multiple ENTRYPOINT instructions found", L, ()),
    "DL4005": ("Use SHELL to change the default shell", I, ()),
    "DL4006": ("Set the SHELL option -o pipefail before RUN with a pipe in it", L, ()),
}
# fmt: on
