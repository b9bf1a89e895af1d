"""Meta stream families: account objects, audiences, conversions, insights."""
