"""hwlib: the library of the MNIST book.

Each module belongs to a chapter, which explains and derives it:

- :mod:`hwlib.data` -- chapter 1, loading MNIST
- :mod:`hwlib.pca` -- chapter 2, PCA
- :mod:`hwlib.harris` -- chapter 3, Harris corners as PCA of gradients
- :mod:`hwlib.knn` -- chapter 4, k-nearest neighbours
- :mod:`hwlib.derivations` -- chapter 5, softmax gradients derived with sympy
- :mod:`hwlib.softmax` -- chapters 5 and 6, softmax regression and SGD
- :mod:`hwlib.nets` -- chapters 7 and 8, MLP and CNN (imports torch)
- :mod:`hwlib.plots` -- figures shared by chapters 4 and 8
- :mod:`hwlib.utils` -- seeding, used by every chapter

Submodules are imported on demand, so ``import hwlib`` stays fast.
"""

__version__ = "0.1.0"
