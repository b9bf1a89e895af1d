"""TikTok stream families: advertisers and the campaign tree, audiences and pixels, reports."""
