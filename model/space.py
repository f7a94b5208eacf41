"""The city's space: a grid of blocks laid out in rings, with block quantities as property layers.

Rings: 0 centre (jobs, services), 1 inner, 2 periphery, 3 edge (where informal settlements grow,
some exposed to hazards). Every block quantity is a Mesa ``PropertyLayer`` on an
``OrthogonalMooreGrid``; processes read and write the layers' arrays, flattened to one value per
block (``city.layer("rent")`` is a 1-D view).
"""

from __future__ import annotations

import numpy as np
from mesa.discrete_space import OrthogonalMooreGrid

from model.scenario import CityParams

CENTRE, INNER, PERIPHERY, EDGE = 0, 1, 2, 3
N_RINGS = 4
# Ring layout and gradients, by ring (centre, inner, periphery, edge); assumptions giving a
# monocentric city (Alonso-Muth-Mills: density and rent fall with distance to the centre).
RING_BOUNDS = (0.2, 0.5, 0.8)  # Chebyshev distance from the centre, share of the half-width
RING_DENSITY = np.array([1.3, 1.15, 1.0, 0.35])  # formal households per block, relative
RING_RENT = np.array([1.0, 0.6, 0.0, -0.3])  # rent premium per unit of city.rent_gradient
RING_TRAVEL_MINUTES = np.array([10.0, 25.0, 45.0, 70.0])  # minutes to the centre by transit
NO_TRANSIT_TRAVEL_FACTOR = 1.6  # ratio: travel time of outer blocks without good transit
RING_SERVICE_SITES = np.array([3.0, 1.0, 0.0, 0.0])  # service sites per block
ACCESS_REFERENCE_MINUTES = 10.0  # minutes: travel time that counts as full access (1)
ACCESS_EXPONENT = 0.5  # exponent of access on (reference / travel minutes): concave decay

LAYERS = {
    "formal_units": float,
    "base_units": float,
    "units_under_construction": float,
    "formal_occupied": float,
    "unit_rounding": float,
    "informal_capacity": float,
    "informal_occupied": float,
    "rent": float,
    "cost_rent": float,
    "hazard_probability": float,
    "travel_minutes": float,
    "transit": float,
    "service_sites": float,
}


class CitySpace:
    """The grid of blocks and its property layers."""

    def __init__(self, params: CityParams, rng: np.random.Generator, random) -> None:
        size = params.grid_size
        self.grid = OrthogonalMooreGrid((size, size), torus=False, random=random)
        for name, dtype in LAYERS.items():
            self.grid.create_property_layer(name, default_value=0.0, dtype=dtype)
        x, y = np.meshgrid(np.arange(size), np.arange(size), indexing="ij")
        centre = (size - 1) / 2
        distance = np.maximum(np.abs(x - centre), np.abs(y - centre)) / max(centre, 1.0)
        self.ring = np.digitize(distance.ravel(), RING_BOUNDS).astype(np.int8)
        self.n_blocks = size * size
        ring = self.ring
        self.layer("travel_minutes")[:] = RING_TRAVEL_MINUTES[ring]
        transit = np.ones(self.n_blocks)
        outer = ring >= PERIPHERY
        transit[outer] = (rng.random(int(outer.sum())) < params.transit_coverage).astype(float)
        self.layer("transit")[:] = transit
        self.layer("travel_minutes")[outer & (transit == 0)] *= NO_TRANSIT_TRAVEL_FACTOR
        self.layer("service_sites")[:] = RING_SERVICE_SITES[ring]
        rent = params.mean_rent * (1 + params.rent_gradient * RING_RENT[ring])
        self.layer("rent")[:] = rent * params.mean_rent / max(rent.mean(), 1e-9)
        # month 0's rents are the cost-based level the market returns to (docs/ODD.md §7.2)
        self.layer("cost_rent")[:] = self.layer("rent")
        exposed = (ring == EDGE) & (rng.random(self.n_blocks) < params.hazard_exposed_share)
        self.layer("hazard_probability")[:] = np.where(exposed, params.hazard_probability, 0.0)
        # each block's fixed offset for rounding its fractional stock to whole units (housing)
        self.layer("unit_rounding")[:] = rng.random(self.n_blocks)

    def layer(self, name: str) -> np.ndarray:
        """The flat (one value per block) view of a property layer; writes go to the layer."""
        return self.grid._mesa_property_layers[name].data.reshape(-1)

    def access(self) -> np.ndarray:
        """Transit access to the centre's jobs and services per block, 0-1 (1 = 10 minutes)."""
        ratio = ACCESS_REFERENCE_MINUTES / self.layer("travel_minutes")
        return np.clip(ratio, 0.0, 1.0) ** ACCESS_EXPONENT
