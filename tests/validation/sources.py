"""Published Minuteman III figures shared by the validation tests, with their citations."""

MM3_RANGE = (
    "SSBCrack Nov 2024 (AFGSC-based): 5,218 nmi (approximately 6,000 miles or 9,656 km), "
    "payload, direction and Earth rotation not stated (reference.yaml minuteman_iii)"
)
MM3_SPEED = (
    "SSBCrack Nov 2024 (AFGSC-based): maximum speed around 15,000 mph (24,000 km/h); "
    "validation README §3"
)
MPH = 0.44704  # m/s per mile per hour (exact)
MILE_KM = 1.609344  # km per statute mile (exact)
