"""Map layer: offline Leaflet maps (inline assets), layers, legends and the shared map context."""
