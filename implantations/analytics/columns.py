"""Column names of the implantation frames.

- SITES: name, kind (label), commune (name or ""), latitude, longitude, active (bool)
- POINTS (basins' main towns…): name, detail, latitude, longitude
"""

NAME = "name"
KIND = "kind"
COMMUNE = "commune"
LATITUDE = "latitude"
LONGITUDE = "longitude"
ACTIVE = "active"
DETAIL = "detail"

SITE_COLUMNS = [NAME, KIND, COMMUNE, LATITUDE, LONGITUDE, ACTIVE]
POINT_COLUMNS = [NAME, DETAIL, LATITUDE, LONGITUDE]
