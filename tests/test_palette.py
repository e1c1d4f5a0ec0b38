"""The map's palette: every pair of colours apart in CIE Lab, for normal vision and three colour-blind simulations.

The colour science is computed here, from the published formulas (sRGB to CIE XYZ to CIE L*a*b* under
D65; colour-vision deficiency by Machado, Oliveira and Fernandes 2009, severity 1.0, applied in linear
RGB), so the test depends on nothing but numpy. Distances are CIE76 (Euclidean in L*a*b*).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from dashboard.map import palette

# Machado et al. (2009), Table 1, severity 1.0: linear-RGB matrices.
SIMULATIONS = {
    "normal": np.eye(3),
    "protanopia": np.array(
        [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]
    ),
    "deuteranopia": np.array(
        [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]
    ),
    "tritanopia": np.array(
        [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]]
    ),
}
SRGB_TO_XYZ = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
D65 = np.array([0.95047, 1.0, 1.08883])
WITHIN_KIND, WITHIN_KIND_SIMULATED, ACROSS_KINDS = 30.0, 12.0, 20.0


def linear_rgb(colour: str) -> np.ndarray:
    srgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def lab(colour: str, seen_as: str = "normal") -> np.ndarray:
    rgb = np.clip(SIMULATIONS[seen_as] @ linear_rgb(colour), 0, 1)
    t = SRGB_TO_XYZ @ rgb / D65
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def distance(a: str, b: str, seen_as: str = "normal") -> float:
    return float(np.linalg.norm(lab(a, seen_as) - lab(b, seen_as)))


def closest(colours: dict[str, str], seen_as: str) -> tuple[float, str, str]:
    return min((distance(colours[a], colours[b], seen_as), a, b) for a, b in itertools.combinations(colours, 2))


def test_the_lab_conversion_matches_known_values():
    # White, black and sRGB red in CIE L*a*b* (D65), as published: L 100 / 0 and red (53.24, 80.09, 67.20).
    assert np.allclose(lab("#ffffff"), [100, 0, 0], atol=0.05)
    assert np.allclose(lab("#000000"), [0, 0, 0], atol=0.05)
    assert np.allclose(lab("#ff0000"), [53.24, 80.09, 67.20], atol=0.1)


def test_the_simulations_keep_greys_grey():
    # Each Machado matrix's rows sum to 1: a grey stays the same grey for every reader.
    for name, matrix in SIMULATIONS.items():
        assert np.allclose(matrix.sum(axis=1), 1, atol=1e-3), name


KINDS = {"event types": palette.EVENT_COLOURS, "controllers": palette.CONTROLLER_COLOURS}


@pytest.mark.parametrize("kind", list(KINDS))
def test_colours_within_a_kind_are_far_apart_for_normal_vision(kind):
    gap, a, b = closest(KINDS[kind], "normal")
    assert gap >= WITHIN_KIND, f"{kind}: {a} and {b} are only {gap:.1f} apart in Lab"


@pytest.mark.parametrize("seen_as", ["protanopia", "deuteranopia", "tritanopia"])
@pytest.mark.parametrize("kind", list(KINDS))
def test_colours_within_a_kind_stay_apart_for_colour_blind_readers(kind, seen_as):
    gap, a, b = closest(KINDS[kind], seen_as)
    assert gap >= WITHIN_KIND_SIMULATED, f"{kind} with {seen_as}: {a} and {b} are only {gap:.1f} apart"


def test_no_event_colour_looks_like_a_controller_colour():
    # The collisions: government dots like red clash markers, Russia like capture, Druze like statement.
    gap, event, controller = min(
        (distance(e, c), name_e, name_c)
        for name_e, e in palette.EVENT_COLOURS.items()
        for name_c, c in palette.CONTROLLER_COLOURS.items()
    )
    assert gap >= ACROSS_KINDS, f"event type {event} and controller {controller} are only {gap:.1f} apart"


def test_event_types_and_controllers_differ_in_mark_as_well_as_colour():
    assert palette.EVENT_MARK["shape"] != palette.PLACE_MARK["shape"]
    assert distance(palette.EVENT_MARK["outline"], palette.PLACE_MARK["outline"]) > 50


def test_the_model_uses_the_palette():
    from dashboard import model

    assert {name: colour for name, (colour, _) in model.EVENT_TYPES.items()} == palette.EVENT_COLOURS
    assert {name: colour for name, (colour, _) in model.CONTROLLERS.items()} == palette.CONTROLLER_COLOURS
