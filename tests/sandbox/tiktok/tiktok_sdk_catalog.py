"""The TikTok Marketing API catalogue from its sources, in order of authority:

1. TikTok's own request specs (tiktok/tiktok-business-api-sdk ``yml_files``, copied verbatim with
   provenance to tests/fixtures/tiktok/official_openapi_specs): parameters, required ones, enums, bounds.
2. The official Python client on PyPI, ``tiktok-business-api-sdk`` 1.0.1 (module ``business_api_client``):
   each operation's ``all_params`` and its ``Filtering*Get`` models. It covers only some endpoints.
3. The reference's lists (transcribed below with their section): what neither of the above
   carries, i.e. dimensions, metrics, filter field names and the entity endpoints' fields, the
   latter joined with the keys of the real records in tests/fixtures/tiktok (the reference lists
   "key" fields only).

`python -m tiktok_sdk_catalog > shared/ads_kit/sandbox/tiktok/catalog.json` (from tests/sandbox/tiktok, or
with it on the path) writes the emulator's catalogue; `test_tiktok_catalog.py` holds that file equal to this.
"""

from __future__ import annotations

import inspect
import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml

SPECS = Path(__file__).resolve().parents[2] / "fixtures" / "tiktok" / "official_openapi_specs"
SDK = "tiktok-business-api-sdk 1.0.1 (business_api_client)"
REAL_RECORDS = {
    "campaign_get": "campaign_get_list_items_airbyte.json",
    "adgroup_get": "adgroup_get_list_item_airbyte.json",
    "ad_get": "ad_get_list_items_airbyte.json",
}


def words(text: str) -> list[str]:
    return text.split()


# -- 3. the reference's lists ---------------------------------------------------------------------------

# Parameters of endpoints neither source describes (§1.2, §2.1, §2.3-§2.5, §2.7-§2.8, §3.8).
REFERENCE_PARAMS = {
    "oauth2_advertiser_get": words("app_id secret"),
    "campaign_get": words("advertiser_id fields exclude_field_types_in_response filtering page page_size"),
    "adgroup_get": words("advertiser_id fields exclude_field_types_in_response filtering page page_size"),
    "ad_get": words("advertiser_id fields exclude_field_types_in_response filtering page page_size"),
    "custom_audience_get": words("advertiser_id custom_audience_ids history_size"),
    "pixel_list": words("advertiser_id pixel_id code name order_by filtering page page_size"),
    "pixel_event_stats": words("advertiser_id pixel_ids date_range"),
    "report_task_download": words("advertiser_id task_id"),
    "report_task_cancel": words("advertiser_id task_id"),
}
# §1.4: page_size caps where the specs say nothing.
REFERENCE_PAGE_SIZE = {"campaign_get": 1000, "adgroup_get": 1000, "ad_get": 1000, "pixel_list": 20}
# §2.3-§2.5 `filtering` keys.
_COMMON_FILTERING = (
    "campaign_system_origins primary_status secondary_status objective_type buying_types "
    "creation_filter_start_time creation_filter_end_time split_test_enabled campaign_automation_type "
    "optimization_goal"
)
REFERENCE_FILTERING = {
    "campaign_get": words(
        f"{_COMMON_FILTERING} campaign_ids campaign_name sales_destination "
        "is_smart_performance_campaign creative_campaign_type campaign_product_source campaign_type"
    ),
    "adgroup_get": words(
        f"{_COMMON_FILTERING} campaign_ids adgroup_ids adgroup_name promotion_type bid_strategy "
        "creative_material_mode billing_events"
    ),
    "ad_get": words(
        f"{_COMMON_FILTERING} campaign_ids adgroup_ids ad_ids creative_material_mode destination "
        "modified_after"
    ),
}
# §2.3-§2.5 response fields (the `fields` a client may ask for).
REFERENCE_FIELDS = {
    "campaign_get": words(
        "advertiser_id campaign_id campaign_name campaign_system_origin create_time modify_time "
        "objective_type app_promotion_type virtual_objective_type sales_destination "
        "is_search_campaign campaign_automation_type is_smart_performance_campaign campaign_type "
        "app_id is_advanced_dedicated_campaign disable_skan_campaign bid_align_type "
        "campaign_app_profile_page_state rf_campaign_type campaign_product_source catalog_enabled "
        "special_industries budget_optimize_on bid_type deep_bid_type roas_bid optimization_goal "
        "budget_mode budget rta_id rta_bid_enabled rta_product_selection_enabled operation_status "
        "secondary_status postback_window_mode is_new_structure objective po_number"
    ),
    "adgroup_get": words(
        "advertiser_id campaign_id campaign_name adgroup_id adgroup_name create_time modify_time "
        "placement_type placements promotion_type optimization_goal optimization_event "
        "secondary_optimization_event billing_event bid_type bid_price conversion_bid_price "
        "deep_bid_type deep_cpa_bid roas_bid budget_mode budget scheduled_budget schedule_type "
        "schedule_start_time schedule_end_time dayparting pacing operation_status secondary_status "
        "location_ids age_groups gender languages operating_systems network_types audience_ids "
        "excluded_audience_ids interest_category_ids interest_keyword_ids actions pixel_id app_id "
        "frequency frequency_schedule click_attribution_window view_attribution_window "
        "engaged_view_attribution_window attribution_event_count skip_learning_phase is_new_structure "
        "is_hfss comment_disabled share_disabled video_download_disabled schedule_infos "
        "split_test_group_id split_test_status campaign_automation_type"
    ),
    "ad_get": words(
        "advertiser_id campaign_id campaign_name campaign_system_origin adgroup_id adgroup_name ad_id "
        "ad_name create_time modify_time identity_type identity_id ad_format video_id image_ids "
        "music_id tiktok_item_id ad_text ad_texts call_to_action call_to_action_id card_id "
        "landing_page_url landing_page_urls utm_params page_id deeplink deeplink_type fallback_type "
        "display_name avatar_icon_web_uri profile_image_url app_name playable_url "
        "impression_tracking_url click_tracking_url tracking_pixel_id tracking_app_id "
        "vast_moat_enabled viewability_postbid_partner brand_safety_postbid_partner creative_type "
        "creative_authorized is_aco is_new_structure optimization_event catalog_id product_set_id "
        "sku_ids item_group_ids showcase_products dark_post_status operation_status secondary_status"
    ),
    # §2.2: the documented list and the newer fields.
    "advertiser_info": words(
        "telephone_number contacter currency cellphone_number timezone advertiser_id role company "
        "status description rejection_reason address name language industry license_no email "
        "license_url country balance create_time display_timezone owner_bc_id company_name_editable "
        "advertiser_account_type brand license_city license_province promotion_area "
        "promotion_center_city promotion_center_province can_use_custom_identity ads_only_mode"
    ),
}
# §3.3 dimensions.
REFERENCE_DIMENSIONS = {
    "id": words("advertiser_id campaign_id adgroup_id ad_id ad_id_v2"),
    "time": words("stat_time_day stat_time_hour"),
    "BASIC": words(
        "country_code ad_type custom_event_type event_source_id page_id component_name room_id "
        "post_id image_id video_material_id minis_id search_terms search_keyword match_type "
        "skan_postback_sequence"
    ),
    "AUDIENCE": words(
        "gender age country_code province_id dma_id platform ac language placement interest_category "
        "interest_category_tier2 interest_category_tier3 interest_category_tier4 interest_category_v2 "
        "device_brand_id ad_type hashtag audience_tags additional_interests behavior_id "
        "purchase_intention contextual_tag"
    ),
}
# §3.4 metrics: attribute metrics, then core, video/engagement and event metrics (the list's examples;
# `skan_*` is a family the reference does not spell out).
REFERENCE_METRICS = {
    "attribute": words(
        "advertiser_name advertiser_id campaign_name campaign_id objective_type campaign_budget "
        "campaign_dedicate_type split_test app_promotion_type adgroup_name adgroup_id ad_name ad_text "
        "placement_type promotion_type tt_app_id tt_app_name mobile_app_id dpa_target_audience_type "
        "opt_status budget smart_target bid_strategy bid billing_event call_to_action image_mode "
        "is_aco is_smart_creative currency campaign_automation_type rf_campaign_type"
    ),
    "core": words(
        "spend billed_cost cash_spend voucher_spend cpc cpm impressions gross_impressions clicks ctr "
        "reach cost_per_1000_reached frequency conversion cost_per_conversion conversion_rate "
        "conversion_rate_v2 real_time_conversion real_time_cost_per_conversion "
        "real_time_conversion_rate real_time_conversion_rate_v2 result cost_per_result result_rate "
        "real_time_result real_time_cost_per_result real_time_result_rate secondary_goal_result "
        "cost_per_secondary_goal_result secondary_goal_result_rate"
    ),
    "video_engagement": words(
        "video_play_actions video_watched_2s video_watched_6s average_video_play "
        "average_video_play_per_user video_views_p25 video_views_p50 video_views_p75 video_views_p100 "
        "engaged_view engaged_view_15s paid_engaged_view paid_engaged_view_15s profile_visits "
        "profile_visits_rate likes comments shares follows clicks_on_music_disc"
    ),
    "events": words(
        "app_install cost_per_app_install real_time_app_install real_time_app_install_cost "
        "registration registration_rate cost_per_registration purchase purchase_rate "
        "cost_per_purchase total_purchase_value complete_payment cost_per_complete_payment "
        "complete_payment_rate value_per_complete_payment total_complete_payment_rate "
        "complete_payment_roas total_pageview total_landing_page_view cost_per_landing_page_view "
        "landing_page_view_rate button_click online_consult form download_start sales_lead "
        "sales_lead_rate cost_per_sales_lead total_sales_lead cost_per_total_sales_lead "
        "total_app_event_add_to_cart cost_per_total_app_event_add_to_cart onsite_shopping "
        "onsite_shopping_roas total_onsite_shopping_value vta_purchase vta_conversion cta_purchase "
        "cta_conversion live_product_clicks"
    ),
}
# §3.5 report `filtering` field names (the filter types come from the spec).
REFERENCE_REPORT_FILTERS = words(
    "campaign_ids adgroup_ids ad_ids ad_ids_v2 campaign_status adgroup_status ad_status buying_type "
    "objective_type promotion_type campaign_automation_type country_code playable_status"
)


# -- 1. the official specs ----------------------------------------------------------------------------------

SPEC_FILES = {
    "advertiser_info": "advertiser_info.yml",
    "custom_audience_list": "dmp_custom_audience_list.yml",
    "report_integrated_get": "report_integrated_get.yml",
    "report_task_create": "report_task_create.yml",
    "report_task_check": "report_task_check.yml",
}


def _enum(schema: dict[str, Any]) -> list[str] | None:
    spec = schema.get("x-open-enum") or (schema.get("items") or {}).get("x-open-enum")
    return sorted(e["key"] for e in spec["enums"] if e.get("is_valid", True)) if spec else None


def _param(schema: dict[str, Any], required: bool, source: str) -> dict[str, Any]:
    param: dict[str, Any] = {"type": schema.get("type", "string"), "required": required, "source": source}
    for key, name in (("minimum", "minimum"), ("maximum", "maximum"), ("maxItems", "max_items")):
        if key in schema:
            param[name] = schema[key]
    enum = _enum(schema)
    if enum:
        param["enum"] = enum
    return param


def spec_params(file_name: str) -> dict[str, dict[str, Any]]:
    """One operation's parameters (query or JSON body) as its spec declares them."""
    spec = yaml.safe_load((SPECS / file_name).read_text(encoding="utf-8"))
    (operation,) = [op for ops in spec["paths"].values() for op in ops.values()]
    source = f"spec {file_name}"
    params: dict[str, dict[str, Any]] = {}
    for item in operation.get("parameters", []):
        if item["name"] == "Access-Token":  # a header (the specs list it as a parameter, §1.2)
            continue
        schema = item.get("schema") or next(iter(item["content"].values()))["schema"]
        params[item["name"]] = _param(schema, bool(item.get("required")), source)
    body = operation.get("requestBody")
    if body:
        schema = next(iter(body["content"].values()))["schema"]
        required = set(schema.get("required") or [])
        for name, prop in schema["properties"].items():
            params[name] = _param(prop, name in required, source)
    return params


def report_filter_types() -> list[str]:
    spec = yaml.safe_load((SPECS / "report_integrated_get.yml").read_text(encoding="utf-8"))
    (operation,) = [op for ops in spec["paths"].values() for op in ops.values()]
    (filtering,) = [p for p in operation["parameters"] if p["name"] == "filtering"]
    schema = next(iter(filtering["content"].values()))["schema"]
    return _enum(schema["items"]["properties"]["filter_type"]) or []


# -- 2. the official Python client ---------------------------------------------------------------------

SDK_OPERATIONS = {
    "oauth2_advertiser_get": "/open_api/v1.3/oauth2/advertiser/get/",
    "campaign_get": "/open_api/v1.3/campaign/get/",
    "adgroup_get": "/open_api/v1.3/adgroup/get/",
    "ad_get": "/open_api/v1.3/ad/get/",
    "custom_audience_list": "/open_api/v1.3/dmp/custom_audience/list/",
    "report_integrated_get": "/open_api/v1.3/report/integrated/get/",
}
SDK_FILTERING = {
    "campaign_get": "FilteringCampaignGet",
    "adgroup_get": "FilteringAdgroupGet",
    "ad_get": "FilteringAdGet",
}


def sdk_params() -> dict[str, list[str]]:
    """Each operation's ``all_params`` (less the token, a header) from the client's generated code."""
    from business_api_client import api

    found: dict[str, list[str]] = {}
    for module in vars(api).values():
        if not inspect.ismodule(module):
            continue
        text = inspect.getsource(module)
        for match in re.finditer(r"all_params = (\[[^\]]*\]).*?'(/open_api/v1\.3/[^']+)'", text, re.S):
            for name, path in SDK_OPERATIONS.items():
                if match.group(2) == path:
                    found[name] = [
                        p for p in json.loads(match.group(1).replace("'", '"')) if p != "access_token"
                    ]
    return found


def sdk_filtering() -> dict[str, list[str]]:
    from business_api_client import models

    return {name: sorted(getattr(models, model).swagger_types) for name, model in SDK_FILTERING.items()}


# -- the catalogue ----------------------------------------------------------------------------------------


def entity_fields() -> dict[str, list[str]]:
    """The reference's fields of each entity endpoint and those its real records carry."""
    found = dict(REFERENCE_FIELDS)
    for name, file_name in REAL_RECORDS.items():
        records = json.loads((SPECS.parent / file_name).read_text(encoding="utf-8"))
        found[name] = sorted(set(found[name]).union(*(record.keys() for record in records)))
    return found


def _merge(params: dict[str, dict[str, Any]], names: list[str], source: str) -> None:
    for name in names:
        params.setdefault(name, {"type": "string", "required": False, "source": source})


def catalog() -> dict[str, Any]:
    endpoints: dict[str, dict[str, Any]] = {name: spec_params(file) for name, file in SPEC_FILES.items()}
    for name, names in sdk_params().items():
        _merge(endpoints.setdefault(name, {}), names, SDK)
    for name, names in REFERENCE_PARAMS.items():
        _merge(endpoints.setdefault(name, {}), names, "reference")
    for name, cap in REFERENCE_PAGE_SIZE.items():
        endpoints[name]["page_size"].update(type="integer", minimum=1, maximum=cap)
    filtering = {
        name: sorted(set(REFERENCE_FILTERING[name]) | set(keys)) for name, keys in sdk_filtering().items()
    }
    return {
        "sources": {
            "specs": "tiktok/tiktok-business-api-sdk@f809c396 yml_files "
            "(tests/fixtures/tiktok/official_openapi_specs)",
            "client": SDK,
            "reference": "TikTok Marketing API reference §1-§3 "
            "(lists transcribed in tests/sandbox/tiktok/tiktok_sdk_catalog.py)",
        },
        "endpoints": {name: dict(sorted(params.items())) for name, params in sorted(endpoints.items())},
        "entity_filtering": filtering,
        "fields": entity_fields(),
        "dimensions": REFERENCE_DIMENSIONS,
        "metrics": REFERENCE_METRICS,
        "report_filters": {"fields": REFERENCE_REPORT_FILTERS, "types": report_filter_types()},
    }


if __name__ == "__main__":
    json.dump(catalog(), sys.stdout, indent=1)
    sys.stdout.write("\n")
