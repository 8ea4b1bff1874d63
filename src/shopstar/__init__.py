"""ShopStar: a star creator program for social commerce."""

__version__ = "0.1.0"
