"""Network layer: road graphs, travel costs and fast queries.

OSM graphs, speeds and edge travel times, terrain, off-road legs, CSR routing, isochrones.
"""
