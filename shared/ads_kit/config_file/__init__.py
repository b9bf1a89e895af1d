"""The suite's YAML configuration file: every platform, the extraction and the rate limits in one file.

``ads-config check FILE`` validates it, ``ads-config run FILE --target NAME`` runs every platform it
names through Meltano (each tap followed by the target). Secrets stay in the environment as
``${VAR}`` references. Each platform's section becomes its tap's config; the taps' own checks
(``AdsTap.check_settings``) validate it, and their one-line errors are told with the file's key.
"""

from ads_kit.config_file.document import SuiteConfigError
from ads_kit.config_file.suite import TapConfig, check_document, tap_configs

__all__ = ["SuiteConfigError", "TapConfig", "check_document", "tap_configs"]
