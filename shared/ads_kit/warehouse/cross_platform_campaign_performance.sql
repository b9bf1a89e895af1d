-- One row per platform, account, campaign and day, with money in the account currency and in the
-- reporting currency, so cross-platform campaign performance is one query. One source for DuckDB
-- (target-duckdb: date_day VARCHAR, numbers DOUBLE) and PostgreSQL (target-postgres: date, numeric):
-- the casts give both the same types, the ratios divide decimals (never integers) and are null
-- where their denominator is zero. Ratios here are per row; over several rows, sum then divide.
-- {schema} is the schema the taps loaded; {deleted} leaves out rows a target soft-deleted.
create view "{schema}".cross_platform_campaign_performance as
select
    platform,
    account_id,
    account_name,
    campaign_id,
    campaign_name,
    cast(date_day as date) as date_day,
    timezone,
    currency,
    reporting_currency,
    cast(spend as decimal(38, 6)) as spend,
    cast(spend_reporting as decimal(38, 6)) as spend_reporting,
    cast(impressions as bigint) as impressions,
    cast(clicks as bigint) as clicks,
    cast(conversions as decimal(38, 6)) as conversions,
    cast(conversions_value as decimal(38, 6)) as conversions_value,
    cast(conversions_value_reporting as decimal(38, 6)) as conversions_value_reporting,
    round(100 * cast(clicks as decimal(38, 6)) / nullif(impressions, 0), 4) as ctr,
    round(cast(spend as decimal(38, 6)) / nullif(clicks, 0), 4) as cpc,
    round(cast(spend_reporting as decimal(38, 6)) / nullif(clicks, 0), 4) as cpc_reporting,
    round(cast(conversions_value as decimal(38, 6)) / nullif(cast(spend as decimal(38, 6)), 0), 4) as roas,
    is_final
from "{schema}".unified_campaign_performance
{deleted}
