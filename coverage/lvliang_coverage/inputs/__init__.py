"""Input layer: readers, header aliases, validation and coordinate systems.

WGS84, CGCS2000, GCJ-02 (Amap) and BD-09 (Baidu) are converted to EPSG:4326 on reading.
"""
