"""Local emulators of the Meta, Google Ads and TikTok APIs over one deterministic synthetic world.

Never imported by tap code: taps reach the sandbox only over HTTP, as they reach the real platforms.
"""
