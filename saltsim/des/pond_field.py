"""The pond field: owner and only writer of the ponds' state; its daily tick calls the kernel.

Every change of state is a movement recorded in the ledger in one vectorised call per kind
(rain, evaporation, deposition, seepage, overflow, transfers), with the accounts ``pond:<name>``
and ``layer:<name>``. Transfer rules are read from the scenario and applied with array
operations over the edges of the pond network (no loop over ponds).
"""
from __future__ import annotations

import numpy as np

from ..constants import SOLUTES
from ..kernels import pond_core
from ..kernels import ponds as kernel
from ..kernels.path import PathLookup
from ..units import DAY, density_to_baume

__all__ = ["PondField", "FlowBook", "FILL_FRACTION", "RULES"]

#: Ponds are filled to this fraction of ``depth_max``; the rest is freeboard for rain
#: (EST: 10 cm of a 60 cm wall [S5] is about 15 %). [-]
FILL_FRACTION = 0.85
RULES = ("none", "density", "level", "schedule", "continuous")
_LAKE, _NOWHERE = -1, -2
#: Transfer rules as the compiled transfer reads them: none, density, level, then schedule and
#: continuous (both offer whenever the pond is in its months).
_OFFER_RULE = {"none": 0, "density": 1, "level": 2, "schedule": 3, "continuous": 3}
#: The lake's one row, as the index of a take from it.
_FIRST = np.zeros(1, dtype=np.int64)


class FlowBook:
    """Buffers a tick's ledger flows and appends them in one call (:meth:`flush`).

    Same calling convention as :meth:`Ledger.flows` / :meth:`Ledger.flow`; the daily tick
    flushes once per day and the model flushes before its final snapshot.
    """

    def __init__(self, ledger):
        self.ledger = ledger
        self._rows: list[tuple] = []

    def flows(self, time_s, source_ids, sink_ids, masses, process: str) -> None:
        # a copy: the rows are read when the ledger materialises them, after the caller is done
        masses = np.array(masses, dtype=float, ndmin=2)
        self._rows.append((float(time_s), source_ids, sink_ids, masses, self.ledger.process_id(process)))

    def flow(self, time_s, source: str, sink: str, masses, process: str) -> None:
        self.flows(time_s, self.ledger.account(source), self.ledger.account(sink), np.asarray(masses)[None, :],
                   process)

    def rows(self, time_s, source_ids: np.ndarray, sink_ids: np.ndarray, masses: np.ndarray,
             process_ids: np.ndarray) -> None:
        """Flows of several processes in one block: ids and process ids (:meth:`Ledger.process_id`) per row.

        The arrays are kept, not copied: the caller must not change them afterwards.
        """
        self._rows.append((float(time_s), source_ids, sink_ids, masses, process_ids))

    def flush(self) -> None:
        """Hand the buffered rows to the ledger, in order (:meth:`Ledger.defer`)."""
        if self._rows:
            self.ledger.defer(self._rows)
            self._rows = []


class PondField:
    """All ponds of a scenario, their network and their state.

    Parameters
    ----------
    ponds : sequence of saltsim.scenario.schema.Pond
    lookup : PathLookup
    ledger : saltsim.des.ledger.Ledger
    lake : saltsim.des.lake.Lake
        The lake (source of the initial fill, sink of bitterns sent to "lake").
    """

    def __init__(self, ponds, lookup: PathLookup, ledger, lake):
        self.ponds = tuple(ponds)
        self.lookup = lookup
        self.ledger = ledger
        self.lake = lake
        self.book = FlowBook(ledger)
        self.names = [p.name for p in self.ponds]
        index = {n: i for i, n in enumerate(self.names)}
        n = len(self.ponds)
        self.area = np.array([p.area for p in self.ponds], dtype=float)
        self.depth_max = np.array([p.depth_max for p in self.ponds], dtype=float)
        self.depth_min = np.array([p.depth_min for p in self.ponds], dtype=float)
        self.seepage_new = np.array([p.seepage for p in self.ponds], dtype=float)
        self.seepage_aged = np.array([p.seepage if p.seepage_aged is None else p.seepage_aged
                                      for p in self.ponds], dtype=float)
        self.seepage_time = np.array([p.seepage_ageing_time for p in self.ponds], dtype=float)
        self._seepage_span = self.seepage_new - self.seepage_aged
        self.porosity = np.array([p.entrainment for p in self.ponds], dtype=float)
        self._solid_share = 1.0 - self.porosity   # of the deposit's volume [-]
        self.rule = np.array([RULES.index(p.transfer_rule) for p in self.ponds], dtype=np.int64)
        self._offer_rule = np.array([_OFFER_RULE[p.transfer_rule] for p in self.ponds], dtype=np.int64)
        self.month_mask = np.array([[m is None or month in m for m in (p.transfer_months for p in self.ponds)]
                                    for month in range(1, 13)], dtype=bool).reshape(12, len(self.ponds))
        self.transfer_density = np.array([np.inf if p.transfer_density is None else p.transfer_density
                                          for p in self.ponds])
        self.transfer_level = np.array([p.depth_max * FILL_FRACTION if p.transfer_level is None
                                        else p.transfer_level for p in self.ponds])
        self.transfer_rate = np.array([np.inf if p.transfer_rate is None else p.transfer_rate
                                       for p in self.ponds])
        self.transfer_months = [p.transfer_months for p in self.ponds]
        src, dst = [], []
        for i, p in enumerate(self.ponds):
            for target in p.feeds:
                if target in index:
                    src.append(i), dst.append(index[target])
                elif target == "lake":
                    src.append(i), dst.append(_LAKE)
        self.edge_src = np.array(src, dtype=np.int64)
        self.edge_dst = np.array(dst, dtype=np.int64)
        # constants of the daily transfers, computed once [m³]
        #: Ponds fed by another pond (their own outflow frees room for it on the same day).
        self._receivers = np.zeros(n, dtype=bool)
        self._receivers[self.edge_dst[self.edge_dst >= 0]] = True
        self._min_volume = self.depth_min * self.area
        self._level_volume = self.transfer_level * self.area
        self._wall_volume = self.depth_max * self.area
        self._fill_volume = FILL_FRACTION * self.depth_max * self.area
        #: False while a pond is drained for harvest (no inflow, no transfers).
        self.online = np.ones(n, dtype=bool)
        #: Seepage depths of planned steps (duration, {end time: depths}) (:meth:`plan_seepage`).
        self._seepage_plan = None
        self._step_rate = (None, None)   # (duration, transfer_rate * duration)
        self.state = kernel.empty_state(n, len(SOLUTES), lookup.n_minerals)
        #: Net minerals deposited in each pond since the start (precipitated − redissolved). [mol]
        self.deposited_total = np.zeros((n, lookup.n_minerals))
        self.pond_ids = ledger.accounts([f"pond:{name}" for name in self.names])
        self.layer_ids = ledger.accounts([f"layer:{name}" for name in self.names])
        self.lake_id = ledger.account("lake")
        self.ext = {k: ledger.account(f"ext:{k}") for k in ("atmosphere", "rain", "groundwater")}
        self.overflow_id = self.lake_id
        # accounts and processes of the daily rows of tick() (kernel.DayFlows.ledger)
        pid, ids, layers = ledger.process_id, self.pond_ids, self.layer_ids
        full = np.full_like
        parts = [(full(ids, self.ext["rain"]), ids, "rain"), (ids, full(ids, self.ext["atmosphere"]), "evaporation"),
                 (full(ids, self.ext["atmosphere"]), ids, "vapour_uptake"), (ids, layers, "precipitation"),
                 (layers, ids, "redissolution"), (ids, full(ids, self.ext["groundwater"]), "seepage")]
        self._tick_rows = (np.concatenate([c[0] for c in parts]), np.concatenate([c[1] for c in parts]),
                           np.concatenate([full(ids, pid(c[2])) for c in parts]))

    # -- state reading --------------------------------------------------------------------
    @property
    def state(self) -> kernel.PondState:
        """The ponds' kernel state (assigning it refreshes the cached brine properties)."""
        return self._state

    @state.setter
    def state(self, value: kernel.PondState) -> None:
        self._state = value
        self._props = None
        self._solid = None

    def properties(self) -> kernel.BrineProperties:
        """Brine properties of the current state (cached until the state changes)."""
        if self._props is None:
            self._props = kernel.brine_properties(self._state, self.lookup)
        return self._props

    def depth(self, props=None) -> np.ndarray:
        props = props or self.properties()
        return props.volume / self.area

    def layer_thickness(self) -> np.ndarray:
        # kernel.layer_thickness(layer, lookup, area, 0.0) is solid_volume / (1.0 * area): the same numbers
        return self.solid_volume() / self.area / self._solid_share

    def baume(self, props=None) -> np.ndarray:
        props = props or self.properties()
        return np.where(props.volume > 0.0, density_to_baume(props.density), 0.0)

    def solid_volume(self) -> np.ndarray:
        """Volume of the deposited crystals (the layer without its pores), cached with the state. [m³]"""
        if self._solid is None:
            self._solid = self.state.layer @ self.lookup.mineral_volume
        return self._solid

    def capacity(self) -> np.ndarray:
        """Brine volume at the walls' top: the deposit raises the floor (as at Dead Sea Works,
        ~20 cm/yr [M6][M8]); its pores hold brine. [m³]"""
        return np.maximum(self._wall_volume - self.solid_volume(), 0.0)

    def room(self, props=None) -> np.ndarray:
        """Volume each pond can still take up to its fill level (0 offline). [m³]"""
        props = props or self.properties()
        fill = self._fill_volume - self.solid_volume()
        return np.where(self.online, np.maximum(fill - props.volume, 0.0), 0.0)

    def record_stock(self, time_s: float) -> None:
        brine, layer = self.state.component_masses(self.lookup)
        for i, name in enumerate(self.names):
            self.ledger.stock(time_s, f"pond:{name}", brine[i])
            self.ledger.stock(time_s, f"layer:{name}", layer[i])

    # -- movements ------------------------------------------------------------------------
    def _parcel_masses(self, water, solutes):
        """Ledger component masses [kg] of parcels of brine: water, then each solute's mol × molar mass."""
        solutes = np.asarray(solutes, dtype=float).reshape(-1, self.lookup.solute_molar_mass.size)
        masses = np.empty((solutes.shape[0], 1 + solutes.shape[1]))
        masses[:, 0] = water
        np.multiply(solutes, self.lookup.solute_molar_mass, out=masses[:, 1:])
        return masses

    def _mineral_masses(self, minerals, out=None):
        """Ledger component masses [kg] of minerals [mol] (rows of (m, n_min))."""
        moved = np.matmul(minerals, self.lookup.stoichiometry, out=out)
        moved *= self.lookup.component_mass
        return moved

    def fill_from_lake(self, time_s: float, depth: np.ndarray) -> None:
        """Initial fill: take brine from the lake to ``depth`` in each pond."""
        volume = depth * self.area
        self.receive_from_lake(time_s, np.arange(len(self.names)), volume, "initial_fill", force=True)

    def receive_from_lake(self, time_s, index, volume, process, force=False) -> np.ndarray:
        """Pump ``volume`` [m³] from the lake into ponds ``index`` (limited by room); returns volumes moved."""
        index = np.asarray(index, dtype=np.int64)
        volume = np.asarray(volume, dtype=float)
        lake_volume = self.lake.volume()
        if not force:
            volume = np.minimum(volume, self.room()[index])
        # np.maximum(0.0, x) is np.clip(x, 0.0, None), signed zeros and NaN included
        fraction = np.maximum(0.0, volume / max(lake_volume, 1e-30))
        total = fraction.sum()
        if total > 0.5:   # never more than half the lake in one call
            fraction *= 0.5 / total
        if not (fraction > 0).any():
            return np.zeros_like(volume)
        self.lake.state, parcel = kernel.take(self.lake.state, np.zeros(index.size, dtype=np.int64), fraction)
        self.state = kernel.mix(self.state, self.lookup, index, *parcel)
        self.book.flows(time_s, self.lake_id, self.pond_ids[index], self._parcel_masses(parcel[0], parcel[1]),
                          process)
        return fraction * lake_volume

    def pump_from_lake(self, time_s: float, i: int, volume: float, process: str, force: bool = False) -> float:
        """Pump ``volume`` [m³] from the lake into pond ``i`` (limited by its room, never more than
        half the lake); returns the volume moved [m³]."""
        lake, lake_volume = self.lake, self.lake.volume()
        if not force:
            volume = min(volume, self._room_one(i))
        share = min(max(volume / max(lake_volume, 1e-30), 0.0), 0.5)
        if not share > 0.0:
            return 0.0
        source, state, lookup = lake.state, self.state, self.lookup
        (lake_water, lake_solutes, lake_feed), brine, masses, lake_props, props = pond_core.pump(
            source.water, source.solutes, source.feed, source.position, 0, share, state.water, state.solutes,
            state.feed, state.position, lookup.solids, lookup.row_index, lookup.columns, lookup.columns_delta,
            lookup.solute_molar_mass, i)
        lake.set_state(kernel.PondState(lake_water, lake_solutes, lake_feed, source.position, source.layer),
                       kernel.BrineProperties(*lake_props))
        self.state = kernel.PondState(*brine, state.layer)
        self._props = kernel.BrineProperties(*props)
        self.book.rows(time_s, self.lake_id, int(self.pond_ids[i]), masses, self.ledger.process_id(process))
        return share * lake_volume

    def _room_one(self, i: int) -> float:
        """``room()[i]``, for one pond. [m³]"""
        if not self.online[i]:
            return 0.0
        return max(float(self._fill_volume[i] - self.solid_volume()[i] - self.properties().volume[i]), 0.0)

    def pond_to_pond(self, time_s, source: int, target: int, volume: float, process: str) -> float:
        """Pump ``volume`` [m³] from one pond to another (limited by the source's brine above its
        minimum depth and the target's room); returns the volume moved. [m³]"""
        props = self.properties()
        spare = max(props.volume[source] - self.depth_min[source] * self.area[source], 0.0)
        volume = min(volume, spare, float(self.room(props)[target]))
        if volume <= 0.0 or props.volume[source] <= 0.0:
            return 0.0
        state, parcel = kernel.take(self.state, np.array([source]), np.array([volume / props.volume[source]]))
        self.state = kernel.mix(state, self.lookup, np.array([target]), *parcel)
        self.book.flows(time_s, self.pond_ids[[source]], self.pond_ids[[target]],
                          self._parcel_masses(parcel[0], parcel[1]), process)
        return volume

    def to_store(self, time_s, index: int, store) -> float:
        """Move the brine of a pond above its minimum depth into a plant's feed store
        (a :class:`saltsim.des.plant.MassStore` of kg); returns the mass moved. [kg]"""
        props = self.properties()
        spare = max(props.volume[index] - self.depth_min[index] * self.area[index], 0.0)
        if spare <= 0.0 or props.volume[index] <= 0.0:
            return 0.0
        self.state, parcel = kernel.take(self.state, np.array([index]), np.array([spare / props.volume[index]]))
        masses = self._parcel_masses(parcel[0], parcel[1])
        kg = float(masses.sum())
        room = store.capacity - store.level
        if kg > room:   # give back what does not fit
            back = (kg - room) / kg
            self.state = self._give_back(index, parcel, back)
            masses, kg = masses * (1.0 - back), room
        if kg <= 0.0:
            return 0.0
        store.put(kg, masses[0])
        self.book.flows(time_s, self.pond_ids[[index]], self.ledger.accounts([store.name]), masses, "to_plant_feed")
        return kg

    def _give_back(self, index, parcel, share):
        water, solutes, feed, position = parcel
        return kernel.mix(self.state, self.lookup, np.array([index]), water * share, solutes * share,
                          feed * share, position)

    def dump_to_lake(self, time_s, source: str, masses: np.ndarray, process: str) -> None:
        """Return component masses [kg] (wash waste, spilled salt) to the lake brine; solids dissolve
        into it and precipitate again on the path if the brine is saturated."""
        water = np.array([masses[0]])
        solutes = (masses[1:] / self.lookup.solute_molar_mass)[None, :]
        self.lake.state = kernel.mix(self.lake.state, self.lookup, np.zeros(1, dtype=np.int64), water, solutes,
                                     np.zeros(1), np.zeros(1))
        self.book.flow(time_s, source, "lake", masses, process)

    def send_to_lake(self, time_s, parcel, source_index, process):
        self.lake.state = kernel.mix(self.lake.state, self.lookup, np.zeros(len(parcel[0]), dtype=np.int64),
                                     *parcel)
        self.book.flows(time_s, self.pond_ids[source_index], self.lake_id,
                          self._parcel_masses(parcel[0], parcel[1]), process)

    def _seepage_depth(self, times: np.ndarray, duration: float) -> np.ndarray:
        """Seepage over a step of ``duration`` [s] ending at each of ``times`` [s], per pond: the
        rate ages from ``seepage`` to ``seepage_aged`` with ``seepage_ageing_time``. [m], (len(times), n)"""
        age = np.minimum(times[:, None] / self.seepage_time, 50.0)
        seep_rate = self.seepage_aged + self._seepage_span * np.exp(-age)
        return seep_rate * duration

    def plan_seepage(self, times, duration: float = DAY) -> None:
        """Compute the seepage depths of the steps ending at ``times`` [s] at once, for :meth:`tick`
        (the same elementwise operations as a step's own; other steps compute theirs)."""
        times = np.asarray(times, dtype=float)
        self._seepage_plan = (duration, dict(zip(times.tolist(), self._seepage_depth(times, duration))))

    def tick(self, time_s: float, rain_depth: float, fresh_evaporation: float, relative_humidity: float,
             month: int, duration: float = DAY):
        """One day of all ponds: the kernel step, then the transfers (one compiled call,
        :func:`saltsim.kernels.pond_core.field_day`). Returns the ponds that overflowed (bool, n),
        or None when none did."""
        plan = self._seepage_plan
        seepage = plan[1].get(time_s) if plan is not None and plan[0] == duration else None
        if seepage is None:
            seepage = self._seepage_depth(np.array([time_s]), duration)[0]
        state, lookup, n = self.state, self.lookup, len(self.names)
        columns, delta, neg_retained, rows, stoich, hydrate, molar_mass, solids, stoichiometry, mass = lookup.core
        new, _, deposited, overflow, props, block, moved, parcel = pond_core.field_day(
            state.water, state.solutes, state.feed, state.position, state.layer, columns, delta, neg_retained, rows,
            stoich, hydrate, molar_mass, stoichiometry, mass, solids, lookup.mineral_volume, self.area,
            self.capacity(), seepage, np.full(n, rain_depth), np.full(n, fresh_evaporation),
            np.full(n, relative_humidity), self._offer_rule, self.transfer_density, self._min_volume,
            self._level_volume, self._fill_volume, self._step_volume(duration), self.online, self.month_mask[month - 1],
            self.edge_src, self.edge_dst, self._receivers)
        self.state = kernel.PondState(*new)
        self._props = kernel.BrineProperties(*props)   # (the day's call returns them)
        self.deposited_total += deposited
        # the step's rows in one block: rain, evaporation, vapour uptake, precipitation,
        # redissolution and seepage, n ponds each (accounts and processes: _tick_rows; the
        # ledger drops rows of zeros)
        source, sink, process = self._tick_rows
        self.book.rows(time_s, source, sink, block, process)
        spilled = overflow[0] > 0.0
        if spilled.any():
            self.send_to_lake(time_s, tuple(a[spilled] for a in overflow), np.flatnonzero(spilled), "overflow")
        else:
            spilled = None
        self._book_transfers(time_s, moved, parcel)
        return spilled

    def transfer(self, time_s: float, month: int, duration: float) -> None:
        """Move brine along the network by each pond's rule (:func:`saltsim.kernels.pond_core.transfer`)."""
        if self.edge_src.size == 0:
            return
        props = self.properties()
        src = self.edge_src
        moved = pond_core.transfer(props.volume, props.density, self.solid_volume(), self._offer_rule,
                                   self.transfer_density, self._min_volume, self._level_volume, self._fill_volume,
                                   self._step_volume(duration), self.online, self.month_mask[month - 1], src,
                                   self.edge_dst, self._receivers)
        if not moved.any():
            return
        state = self.state
        water, solutes, feed, position, parcel = pond_core.move_along_edges(
            state.water, state.solutes, state.feed, state.position, self.lookup.solids, self.lookup.row_index,
            props.volume, src, self.edge_dst, moved)
        self.state = kernel.PondState(water, solutes, feed, position, state.layer)
        self._book_transfers(time_s, moved, parcel)

    def _step_volume(self, duration: float) -> np.ndarray:
        """Largest transfer of each pond over a step of ``duration`` [s] (its rate × duration,
        computed once per duration). [m³]"""
        if self._step_rate[0] != duration:
            self._step_rate = (duration, self.transfer_rate * duration)
        return self._step_rate[1]

    def _book_transfers(self, time_s: float, moved: np.ndarray, parcel: tuple) -> None:
        """Ledger rows of the parcels moved along the edges (``moved`` [m³] per edge); parcels to the
        lake are mixed into its brine."""
        keep = moved > 0.0
        if not keep.any():
            return
        src, dst = self.edge_src, self.edge_dst
        internal = keep & (dst >= 0)
        if internal.any():
            self.book.flows(time_s, self.pond_ids[src[internal]], self.pond_ids[dst[internal]],
                            self._parcel_masses(parcel[0][internal], parcel[1][internal]), "transfer")
        external = keep & (dst < 0)
        if external.any():
            self.send_to_lake(time_s, tuple(a[external] for a in parcel), src[external], "bittern_return")

    # -- harvest --------------------------------------------------------------------------
    def drain(self, time_s: float, index: int) -> None:
        """Drain a crystallizer for harvest: its brine above the entrained pore brine goes on."""
        props = self.properties()
        keep_volume = self.layer_thickness()[index] * self.area[index] * self.porosity[index]
        drain = max(props.volume[index] - keep_volume, 0.0)
        self.online[index] = False
        if drain <= 0.0 or props.volume[index] <= 0.0:
            return
        targets = self.edge_dst[self.edge_src == index]
        internal = targets[targets >= 0][:1]
        to_pond = min(drain, float(self.room(props)[internal[0]])) if internal.size else 0.0
        if to_pond > 0.0:   # down the train as far as the next pond has room ...
            self.state, parcel = kernel.take(self.state, np.array([index]), np.array([to_pond / props.volume[index]]))
            self.state = kernel.mix(self.state, self.lookup, internal, *parcel)
            self.book.flows(time_s, self.pond_ids[[index]], self.pond_ids[internal],
                            self._parcel_masses(parcel[0], parcel[1]), "drain")
        rest = drain - to_pond
        if rest > 0.0:      # ... the rest back to the lake
            volume = props.volume[index] - to_pond
            self.state, parcel = kernel.take(self.state, np.array([index]), np.array([min(rest / volume, 1.0)]))
            self.send_to_lake(time_s, parcel, np.array([index]), "drain")

    def harvest_layer(self, time_s: float, index: int, fraction: float,
                      sink: str = "harvest:field") -> tuple[np.ndarray, np.ndarray]:
        """Cut a fraction of a pond's deposit and of its entrained brine and send them to ``sink``.

        Both movements go through the flow book like every other movement of the ponds: the salt
        from ``layer:<name>`` (process ``harvest``), the brine from ``pond:<name>``
        (``harvest_entrained_brine``). Returns (salt masses, brine masses) in ledger components
        [kg]; the caller books where they go next.
        """
        minerals = self.state.layer[index] * fraction
        layer = self.state.layer.copy()   # a new array: earlier days' records keep theirs
        layer[index] -= minerals
        self.state = kernel.PondState(self.state.water, self.state.solutes, self.state.feed, self.state.position,
                                      layer)
        salt = self._mineral_masses(minerals[None, :])
        self.state, parcel = kernel.take(self.state, np.array([index]), np.array([fraction]))
        brine = self._parcel_masses(parcel[0], parcel[1])
        sink_id = self.ledger.account(sink)
        self.book.flows(time_s, self.layer_ids[[index]], sink_id, salt, "harvest")
        self.book.flows(time_s, self.pond_ids[[index]], sink_id, brine, "harvest_entrained_brine")
        return salt[0], brine[0]
