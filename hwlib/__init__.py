"""hwlib: the library of the MNIST book.

Each module belongs to the pages that explain and derive it (named here by
page label):

- :mod:`hwlib.data` -- page `mnist`, loading MNIST
- :mod:`hwlib.pca` -- page `pca`, PCA
- :mod:`hwlib.harris` -- page `harris`, Harris corners as PCA of gradients
- :mod:`hwlib.knn` -- page `knn`, k-nearest neighbours
- :mod:`hwlib.derivations` -- page `softmax-gradients`, softmax gradients
  derived with sympy
- :mod:`hwlib.softmax` -- pages `softmax-gradients` and `softmax-sgd`,
  softmax regression and SGD
- :mod:`hwlib.nets` -- pages `mlp` and `cnn`, MLP and CNN (imports torch)
- :mod:`hwlib.history` -- the training record shared by
  :func:`hwlib.softmax.sgd` and :func:`hwlib.nets.train`
- :mod:`hwlib.stats` -- validation split, intervals and calibration (pages
  `knn`, `softmax-sgd`, `cnn`)
- :mod:`hwlib.legacy_kdtree` -- SciPy 2019's pure-Python KD-tree with its
  uint8 arithmetic (page `errata`)
- :mod:`hwlib.plots` -- the figures the pages draw
- :mod:`hwlib.utils` -- seeding, used by every page

Submodules are imported on demand, so ``import hwlib`` stays fast.
"""

__version__ = "0.1.0"
