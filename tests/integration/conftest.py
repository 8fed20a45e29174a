"""One 30-year run of the bundled Qom baseline, shared by the integration tests of this folder."""
import pytest

import saltsim
from saltsim.examples import example_path


@pytest.fixture(scope="session")
def baseline_scenario():
    return saltsim.load_scenario(example_path("qom_baseline"))


@pytest.fixture(scope="session")
def baseline(baseline_scenario):
    """``saltsim.run`` of the baseline with plants, rail and the no-project counterfactual."""
    return saltsim.run(baseline_scenario, progress=False)
