"""hwlib.harris against OpenCV's cornerHarris (test-only oracle) and the PCA identities."""

import cv2
import numpy as np
import pytest

from hwlib import harris


@pytest.fixture
def image(rng):
    """A 40 x 50 image with flat areas, edges, corners and noise."""
    img = np.zeros((40, 50))
    img[10:30, 12:35] = 200.0
    img[5:15, 38:46] = 90.0
    return img + rng.normal(scale=5.0, size=img.shape)


@pytest.mark.parametrize("ksize, derivative", [(1, "central"), (3, "sobel")])
@pytest.mark.parametrize("kappa", [0.04, 0.06])
def test_equals_opencv_corner_harris(image, ksize, derivative, kappa):
    # OpenCV scales the gradients by 1 / (2^(ksize-1) * blockSize): R scales by that to the 4th power.
    block = 3
    scale = 1.0 / (2 ** (ksize - 1) * block)
    ref = cv2.cornerHarris(image.astype(np.float32), block, ksize, kappa)
    ours = harris.harris_response(
        image.astype(np.float32),
        kappa=kappa,
        window_size=block,
        derivative=derivative,
    )
    np.testing.assert_allclose(
        ours * scale**4, ref, rtol=0, atol=1e-5 * np.abs(ref).max()
    )


def test_eigenvalues_match_eigvalsh_and_det_trace(image):
    Sxx, Sxy, Syy = harris.structure_tensor(image)
    lam1, lam2 = harris.structure_eigenvalues(image)
    M = np.stack([np.stack([Sxx, Sxy], -1), np.stack([Sxy, Syy], -1)], -2)
    ref = np.linalg.eigvalsh(M)  # ascending
    scale = lam1.max()
    np.testing.assert_allclose(lam1, ref[..., 1], atol=1e-9 * scale)
    np.testing.assert_allclose(
        lam2, np.maximum(ref[..., 0], 0), atol=1e-9 * scale
    )
    np.testing.assert_allclose(
        lam1 * lam2, Sxx * Syy - Sxy**2, atol=1e-9 * scale**2
    )
    np.testing.assert_allclose(lam1 + lam2, Sxx + Syy, atol=1e-9 * scale)
    kappa = 0.05
    np.testing.assert_allclose(
        harris.harris_response(image, kappa=kappa),
        lam1 * lam2 - kappa * (lam1 + lam2) ** 2,
        atol=1e-9 * scale**2,
    )
    assert np.all(lam1 >= lam2) and np.all(lam2 >= 0)


def test_shi_tomasi_is_smaller_eigenvalue(image):
    np.testing.assert_array_equal(
        harris.shi_tomasi(image), harris.structure_eigenvalues(image)[1]
    )


@pytest.mark.parametrize("derivative", ["central", "sobel"])
def test_rotation_by_90_degrees_rotates_eigenvalue_maps(image, derivative):
    lam1, lam2 = harris.structure_eigenvalues(image, derivative=derivative)
    r1, r2 = harris.structure_eigenvalues(
        np.rot90(image), derivative=derivative
    )
    np.testing.assert_allclose(r1, np.rot90(lam1), rtol=1e-10, atol=1e-8)
    np.testing.assert_allclose(r2, np.rot90(lam2), rtol=1e-10, atol=1e-6)


@pytest.mark.parametrize("row, col", [(0, 0), (20, 12), (39, 49), (10, 30)])
@pytest.mark.parametrize("window_size", [3, 5])
def test_gradient_pca_scatter_is_the_structure_tensor(
    image, row, col, window_size
):
    Sxx, Sxy, Syy = harris.structure_tensor(image, window_size=window_size)
    view = harris.gradient_pca(image, row, col, window_size=window_size)
    M = np.array(
        [[Sxx[row, col], Sxy[row, col]], [Sxy[row, col], Syy[row, col]]]
    )
    np.testing.assert_allclose(view.matrix, M, rtol=1e-10, atol=1e-8)
    assert view.points.shape == (window_size**2, 2)
    np.testing.assert_allclose(
        view.matrix @ view.eigenvectors,
        view.eigenvectors * view.eigenvalues,
        atol=1e-6,
    )


def test_centred_scatter_removes_the_mean_gradient(image):
    unc = harris.gradient_pca(image, 20, 12)
    cen = harris.gradient_pca(image, 20, 12, centered=True)
    g = unc.points.mean(axis=0)
    np.testing.assert_allclose(
        cen.matrix, unc.matrix - len(unc.points) * np.outer(g, g), atol=1e-8
    )


def test_central_difference_is_not_halved():
    ramp = np.tile(np.arange(6.0), (5, 1))  # I(x) = x
    Ix, Iy = harris.image_gradients(ramp)
    np.testing.assert_array_equal(Ix[:, 1:-1], 2.0)
    np.testing.assert_array_equal(Iy, 0.0)


def test_corner_of_a_square_is_detected():
    img = np.zeros((30, 30))
    img[10:20, 10:20] = 1.0
    peaks = harris.corner_peaks(
        harris.harris_response(img), min_distance=3, threshold_rel=0.1
    )
    found = {tuple(p) for p in peaks}
    assert len(peaks) == 4
    for corner in [(10, 10), (10, 19), (19, 10), (19, 19)]:
        assert any(
            abs(r - corner[0]) <= 1 and abs(c - corner[1]) <= 1
            for r, c in found
        )


def test_uint8_input_equals_float_input(image):
    img8 = np.clip(image, 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(
        harris.harris_response(img8),
        harris.harris_response(img8.astype(float)),
    )


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (
            lambda: harris.harris_response(np.ones(9)),
            ValueError,
            "image must be 2-D",
        ),
        (
            lambda: harris.harris_response(np.ones((3, 3, 3))),
            ValueError,
            "image must be 2-D",
        ),
        (
            lambda: harris.harris_response(np.ones((2, 9))),
            ValueError,
            "at least 3 x 3",
        ),
        (
            lambda: harris.harris_response(np.full((5, 5), np.nan)),
            ValueError,
            "image must be finite",
        ),
        (
            lambda: harris.harris_response(np.ones((5, 5)), kappa=0.3),
            ValueError,
            "kappa must be in",
        ),
        (
            lambda: harris.harris_response(np.ones((5, 5)), window_size=4),
            ValueError,
            "window_size must be odd",
        ),
        (
            lambda: harris.harris_response(np.ones((5, 5)), window_size=0),
            ValueError,
            "window_size must be in",
        ),
        (
            lambda: harris.harris_response(
                np.ones((5, 5)), derivative="laplace"
            ),
            ValueError,
            "derivative",
        ),
        (
            lambda: harris.gradient_pca(np.ones((5, 5)), 5, 0),
            ValueError,
            "row must be in 0..4",
        ),
        (
            lambda: harris.corner_peaks(np.ones((5, 5)), threshold_rel=2),
            ValueError,
            "threshold_rel",
        ),
        (
            lambda: harris.harris_response(np.ones((5, 5), dtype=complex)),
            TypeError,
            "image must hold real",
        ),
        (
            lambda: harris.harris_response(np.ones((5, 5)), kappa="0.05"),
            TypeError,
            "kappa must be a real number",
        ),
    ],
)
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


@pytest.mark.parametrize("shape", [(3, 3), (3, 8), (6, 4), (40, 50)])
@pytest.mark.parametrize("window_size", [1, 3, 5, 9])
def test_structure_tensor_is_the_padded_box_sum(rng, shape, window_size):
    """M at every pixel is the plain sum over the mirrored (reflect-101) window,
    also when the window is wider than the image and mirrors more than once."""
    image = rng.normal(size=shape) * 50
    Ix, Iy = harris.image_gradients(image)
    r = window_size // 2
    for S, P in zip(
        harris.structure_tensor(image, window_size=window_size),
        (Ix * Ix, Ix * Iy, Iy * Iy),
    ):
        padded = np.pad(P, r, mode="reflect")
        windows = np.lib.stride_tricks.sliding_window_view(
            padded, (window_size, window_size)
        )
        np.testing.assert_allclose(
            S, windows.sum(axis=(2, 3)), rtol=1e-12, atol=1e-9
        )


@pytest.mark.parametrize("derivative", ["central", "sobel"])
@pytest.mark.parametrize("window_size", [1, 3, 5])
def test_bands_do_not_change_the_result(
    image, monkeypatch, derivative, window_size
):
    """The image is processed in bands of rows; bands of 1, 2 or 3 rows give the one-band answer."""
    whole = harris.harris_response(
        image, window_size=window_size, derivative=derivative
    )
    for band_rows in (1, 2, 3):
        monkeypatch.setattr(harris, "_BAND_PIXELS", band_rows * image.shape[1])
        banded = harris.harris_response(
            image, window_size=window_size, derivative=derivative
        )
        np.testing.assert_array_equal(banded, whole)


def test_float32_images_are_processed_in_single_precision(image):
    """As in OpenCV: float32 in, float32 arithmetic, float64 out, within float32 rounding."""
    R64 = harris.harris_response(image)
    R32 = harris.harris_response(image.astype(np.float32))
    assert R32.dtype == np.float64
    np.testing.assert_allclose(
        R32,
        harris.harris_response(image.astype(np.float32).astype(np.float64)),
        atol=1e-5 * np.abs(R64).max(),
    )


def test_large_float32_values_fall_back_to_double_precision(image):
    """Grey levels of 1e9 would overflow det(M) in float32; the result is the float64 one."""
    big = (image * 1e7).astype(np.float32)
    np.testing.assert_array_equal(
        harris.harris_response(big),
        harris.harris_response(big.astype(np.float64)),
    )


def test_gradient_pca_eigenvectors_follow_the_sign_convention(image):
    view = harris.gradient_pca(image, 20, 12, window_size=5)
    V = view.eigenvectors
    largest = np.argmax(np.abs(V), axis=0)
    assert np.all(V[largest, [0, 1]] > 0)
    np.testing.assert_allclose(V.T @ V, np.eye(2), atol=1e-12)


def test_core_functions_are_what_the_public_functions_compute(image):
    """The plain core shown on the page (literalinclude) is the code that runs."""
    Sxx, Sxy, Syy = harris.structure_tensor(image)
    kappa = 0.05
    np.testing.assert_array_equal(
        harris._response_2x2(Sxx, Sxy, Syy, kappa),
        harris.harris_response(image, kappa=kappa),
    )
    lam1, lam2 = harris._eigenvalues_2x2(Sxx, Sxy, Syy)
    ref1, ref2 = harris.structure_eigenvalues(image)
    np.testing.assert_array_equal(lam1, ref1)
    np.testing.assert_array_equal(np.maximum(lam2, 0), ref2)
    Ix, Iy = harris.image_gradients(image)
    points = harris._window_points(Ix, Iy, 0, 7, 3)  # a border window
    np.testing.assert_array_equal(
        points, harris.gradient_pca(image, 0, 7).points
    )
    np.testing.assert_allclose(
        harris._second_moment(points),
        [[Sxx[0, 7], Sxy[0, 7]], [Sxy[0, 7], Syy[0, 7]]],
    )


def test_centring_can_turn_a_corner_into_an_edge():
    """The reader's counterexample (errata F1): 4 gradients (a, 0) and 5 (0, a)."""
    a = 3.0
    points = np.array([[a, 0.0]] * 4 + [[0.0, a]] * 5)
    M = harris._second_moment(points)
    Mc = harris._second_moment(points, centered=True)
    np.testing.assert_allclose(M, np.diag([4 * a**2, 5 * a**2]))
    np.testing.assert_allclose(
        Mc, 20 * a**2 / 9 * np.array([[1, -1], [-1, 1]])
    )
    kappa = 0.05
    assert harris._response_2x2(M[0, 0], M[0, 1], M[1, 1], kappa) > 0
    assert harris._response_2x2(Mc[0, 0], Mc[0, 1], Mc[1, 1], kappa) < 0
    lam = harris._eigenvalues_2x2(Mc[0, 0], Mc[0, 1], Mc[1, 1])
    np.testing.assert_allclose(lam, [40 * a**2 / 9, 0], atol=1e-12)
