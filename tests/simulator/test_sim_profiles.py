import pytest
from printer_async.simulator import ApiFailure, ManualClock, PrinterProfile, SimulatedPrinter

MODELS = {
    # name: (model string, nozzles, build volume)
    "Pro2": ("Raise3D Pro2", 2, (305, 305, 300)),
    "Pro2 Plus": ("Raise3D Pro2Plus", 2, (305, 305, 605)),
    "Pro3": ("Raise3D Pro3", 2, (300, 300, 300)),
    "Pro3 Plus": ("Raise3D Pro3Plus", 2, (300, 300, 605)),
    "E2": ("Raise3D E2", 2, (330, 240, 240)),
    "N2": ("Raise3D N2", 1, (305, 305, 305)),
    "N2 Plus": ("Raise3D N2Plus", 1, (305, 305, 610)),
}


def printer(**options):
    """A simulated printer on a manual clock."""
    return SimulatedPrinter(clock=ManualClock(), **options)


def test_the_default_printer_is_a_pro2_as_a_real_one_describes_itself():
    """No model: /printer/system says Raise3D Pro2, 2 nozzles, battery 0, the captured versions."""
    info = printer().system_info()
    assert {key: info[key] for key in ("model", "nozzies_num", "battery", "brightness")} == {
        "model": "Raise3D Pro2",
        "nozzies_num": 2,
        "battery": 0,
        "brightness": 6,
    }
    assert (info["firmware_version"], info["version"], info["api_version"]) == (
        "1.7.0.1008",
        "1.7.7.1026",
        "0.1.0.926",
    )


@pytest.mark.parametrize("name", sorted(MODELS))
def test_each_model_reports_itself_and_its_build_volume(name):
    """model=NAME sets the model string, the nozzle count and the bounds of absolute moves."""
    model, nozzles, (x, y, z) = MODELS[name]
    sim = printer(model=name)
    assert isinstance(sim.profile, PrinterProfile)
    assert (sim.profile.name, sim.nozzles) == (name, nozzles)
    assert (sim.system_info()["model"], sim.system_info()["nozzies_num"]) == (model, nozzles)
    sim.axis_control(is_relative_pos=0, feed=3000, moves={"x": x, "y": y, "z": z})
    assert sim.position == {"x": x, "y": y, "z": z, "e": 0}
    with pytest.raises(ApiFailure, match=rf"y error aboslute model value\(0~{y}\)"):
        sim.axis_control(is_relative_pos=0, feed=3000, moves={"y": y + 1})


def test_one_nozzle_without_a_model_is_an_n2_plus():
    """nozzles=1 alone gives the vendor example's one-nozzle printer, as before profiles."""
    info = printer(nozzles=1).system_info()
    assert (info["model"], info["nozzies_num"], info["battery"]) == (
        "Raise3D N2Plus",
        1,
        3.957441568374634,
    )


def test_an_explicit_nozzle_count_overrides_the_model():
    """model="Pro3", nozzles=1: a Pro3 with one nozzle, whose right nozzle is missing."""
    sim = printer(model="Pro3", nozzles=1)
    assert (sim.system_info()["model"], sim.system_info()["nozzies_num"]) == ("Raise3D Pro3", 1)
    with pytest.raises(ApiFailure, match="no right nozzle"):
        sim.nozzle_info(2)


@pytest.mark.parametrize("spelling", ["pro3 plus", "PRO3PLUS", "Pro3-Plus", "pro3_plus"])
def test_model_names_ignore_case_spaces_and_dashes(spelling):
    """Any case, with or without spaces, dashes or underscores, names the same model."""
    assert printer(model=spelling).profile.name == "Pro3 Plus"


def test_an_unknown_model_lists_the_known_ones():
    """An unknown model is a ValueError naming every known model."""
    with pytest.raises(ValueError, match="unknown printer model 'Pro9'; known: Pro2, Pro2 Plus"):
        printer(model="Pro9")


@pytest.mark.parametrize("nozzles", [0, 3])
def test_a_nozzle_count_other_than_one_or_two_is_refused(nozzles):
    """A nozzle count other than 1 or 2 is a ValueError, with or without a model."""
    with pytest.raises(ValueError, match="nozzles must be 1 or 2"):
        printer(nozzles=nozzles)
    with pytest.raises(ValueError, match="nozzles must be 1 or 2"):
        printer(model="E2", nozzles=nozzles)
