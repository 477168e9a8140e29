"""Column names of the implantation frames.

- SITES: name, kind (label), commune (name or ""), latitude, longitude, active (bool)
- POINTS (basins' main towns…): name, detail, latitude, longitude
- OUTLINE_SOURCE (pieces of regions: zones d'emploi…): region, geometry (GeoJSON dict or shapely)
- OUTLINES: region, geometry (shapely), longitude, latitude (where its name is written)
"""

NAME = "name"
KIND = "kind"
COMMUNE = "commune"
LATITUDE = "latitude"
LONGITUDE = "longitude"
ACTIVE = "active"
DETAIL = "detail"
REGION = "region"
GEOMETRY = "geometry"

SITE_COLUMNS = [NAME, KIND, COMMUNE, LATITUDE, LONGITUDE, ACTIVE]
POINT_COLUMNS = [NAME, DETAIL, LATITUDE, LONGITUDE]
OUTLINE_SOURCE_COLUMNS = [REGION, GEOMETRY]
OUTLINE_COLUMNS = [REGION, GEOMETRY, LONGITUDE, LATITUDE]
