"""The Marketing API catalogue as the official client (facebook-business) lists it.

`python -m tests.sandbox.meta.sdk_catalog > shared/ads_kit/sandbox/meta/catalog.json` writes the
emulator's catalogue; `test_catalog.py` holds that file equal to the installed client's.
"""

from __future__ import annotations

import inspect
import json
import re
import sys
from typing import Any

import facebook_business
from facebook_business.adobjects.ad import Ad
from facebook_business.adobjects.adaccount import AdAccount
from facebook_business.adobjects.adcreative import AdCreative
from facebook_business.adobjects.adimage import AdImage
from facebook_business.adobjects.adlabel import AdLabel
from facebook_business.adobjects.adreportrun import AdReportRun
from facebook_business.adobjects.adsactionstats import AdsActionStats
from facebook_business.adobjects.adset import AdSet
from facebook_business.adobjects.adsinsights import AdsInsights
from facebook_business.adobjects.advideo import AdVideo
from facebook_business.adobjects.campaign import Campaign
from facebook_business.adobjects.customaudience import CustomAudience
from facebook_business.adobjects.customconversion import CustomConversion
from facebook_business.adobjects.lead import Lead

NODES = {
    "AdAccount": AdAccount,
    "Campaign": Campaign,
    "AdSet": AdSet,
    "Ad": Ad,
    "AdCreative": AdCreative,
    "CustomAudience": CustomAudience,
    "CustomConversion": CustomConversion,
    "AdReportRun": AdReportRun,
    "AdImage": AdImage,
    "AdVideo": AdVideo,
    "AdLabel": AdLabel,
    "Lead": Lead,
}
EDGES = {
    "campaigns": AdAccount.get_campaigns,
    "adsets": AdAccount.get_ad_sets,
    "ads": AdAccount.get_ads,
    "adcreatives": AdAccount.get_ad_creatives,
    "customaudiences": AdAccount.get_custom_audiences,
    "customconversions": AdAccount.get_custom_conversions,
    "adimages": AdAccount.get_ad_images,
    "advideos": AdAccount.get_ad_videos,
    "adlabels": AdAccount.get_ad_labels,
    "leads": Ad.get_leads,
}
INSIGHTS_ENUMS = {
    "breakdowns": "Breakdowns",
    "action_breakdowns": "ActionBreakdowns",
    "summary_action_breakdowns": "SummaryActionBreakdowns",
    "action_attribution_windows": "ActionAttributionWindows",
    "date_preset": "DatePreset",
    "level": "Level",
    "action_report_time": "ActionReportTime",
    "time_increment": "Increment",  # besides 1-90
    "filtering_operator": "Operator",
}


def _names(holder: type) -> list[str]:
    return sorted(value for key, value in vars(holder).items() if not key.startswith("_"))


def _param_types(method: Any) -> dict[str, str]:
    match = re.search(r"param_types = \{(.*?)\}", inspect.getsource(method), re.S)
    return dict(re.findall(r"'(\w+)': '([^']+)'", match.group(1))) if match else {}


def catalog() -> dict[str, Any]:
    return {
        "facebook_business": facebook_business.__version__,
        "insights_fields": dict(sorted(AdsInsights._field_types.items())),
        "insights_params": dict(sorted(_param_types(AdAccount.get_insights).items())),
        "insights_enums": {
            param: _names(getattr(AdsInsights, name)) for param, name in INSIGHTS_ENUMS.items()
        },
        "action_stats_keys": _names(AdsActionStats.Field),
        "node_fields": {node: _names(cls.Field) for node, cls in NODES.items()},
        "node_params": {node: dict(sorted(_param_types(cls.api_get).items())) for node, cls in NODES.items()},
        "edge_params": {edge: dict(sorted(_param_types(method).items())) for edge, method in EDGES.items()},
    }


if __name__ == "__main__":
    json.dump(catalog(), sys.stdout, indent=1)
    sys.stdout.write("\n")
