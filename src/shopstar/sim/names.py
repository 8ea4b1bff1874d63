"""Plausible names for shops, products, creators and agencies (drawn from small word lists)."""

from __future__ import annotations

import numpy as np

_NOUNS: dict[str, tuple[str, ...]] = {
    "skincare": ("Serum", "Moisturizer", "Cleanser", "Sunscreen SPF 50", "Toner", "Eye Cream"),
    "makeup": ("Lip Tint", "Foundation", "Mascara", "Blush Palette", "Setting Spray"),
    "haircare": ("Hair Oil", "Dry Shampoo", "Curl Cream", "Heat Protectant"),
    "fragrance": ("Body Mist", "Eau de Parfum", "Roll-on Perfume"),
    "womenswear": ("Wrap Dress", "Cargo Pants", "Knit Cardigan", "Slip Skirt", "Crop Top"),
    "menswear": ("Oversized Tee", "Chino Shorts", "Hoodie", "Linen Shirt"),
    "accessories": ("Tote Bag", "Claw Clip Set", "Sunglasses", "Belt", "Phone Charm"),
    "shoes": ("Platform Sneakers", "Slides", "Ankle Boots", "Loafers"),
    "kitchen": ("Air Fryer Liners", "Knife Set", "Mini Chopper", "Spice Rack"),
    "decor": ("LED Strip Lights", "Throw Blanket", "Wall Mirror", "Scented Candle"),
    "cleaning": ("Cleaning Paste", "Lint Roller", "Spin Mop", "Scrub Brush"),
    "storage": ("Drawer Organizer", "Vacuum Bags", "Closet Shelves"),
    "snacks": ("Protein Chips", "Freeze-Dried Candy", "Trail Mix", "Seaweed Snacks"),
    "drinks": ("Matcha Powder", "Electrolyte Mix", "Cold Brew Pack"),
    "supplements": ("Gummy Vitamins", "Collagen Powder", "Magnesium Capsules"),
    "phone accessories": ("Phone Case", "MagSafe Charger", "Screen Protector", "Phone Stand"),
    "audio": ("Wireless Earbuds", "Bluetooth Speaker", "Headphones"),
    "gadgets": ("Mini Projector", "Label Maker", "Smart Plug", "Ring Light"),
    "equipment": ("Resistance Bands", "Yoga Mat", "Adjustable Dumbbells", "Jump Rope"),
    "activewear": ("Seamless Leggings", "Sports Bra", "Running Shorts"),
    "nutrition": ("Whey Protein", "Pre-Workout", "Creatine"),
    "feeding": ("Silicone Bib Set", "Bottle Warmer", "Snack Cup"),
    "toys": ("Sensory Toy", "Stacking Cups", "Activity Gym"),
    "care": ("Baby Lotion", "Diaper Caddy", "Nail Trimmer"),
    "dog": ("Chew Toy", "No-Pull Harness", "Dog Treats", "Slow Feeder"),
    "cat": ("Cat Tree", "Catnip Toy", "Self-Cleaning Brush", "Litter Mat"),
    "aquarium": ("Aquarium Filter", "Fish Food", "Tank Decor"),
}
_ADJECTIVES = (
    "Everyday", "Glow", "Cloud", "Pro", "Mini", "Ultra", "Classic", "Cozy", "Travel", "Daily",
    "Pure", "Bold", "Soft", "Smart", "Fresh", "Velvet", "Urban", "Lite", "Max", "Signature",
)  # fmt: skip
_SHOP_WORDS = (
    "Maple", "Luna", "Nova", "Peak", "Bloom", "Harbor", "Echo", "Willow", "Summit", "Coral",
    "Pixel", "Juniper", "Atlas", "Sage", "Orbit", "Ember", "Cedar", "Iris", "Zenith", "Fable",
)  # fmt: skip
_SHOP_SUFFIXES = ("Co.", "Goods", "Studio", "Supply", "Store", "Labs", "House", "Beauty")
_FIRST = (
    "mia", "liam", "ava", "noah", "zoe", "leo", "emma", "kai", "ivy", "max", "lily", "sam",
    "nora", "eli", "ruby", "jay", "chloe", "finn", "maya", "alex", "jade", "theo", "sofia", "ben",
)  # fmt: skip
_NICHES = (
    "finds", "deals", "glow", "style", "home", "eats", "tech", "fit", "mom", "pets", "daily",
    "haul", "picks", "loves", "life", "vibes",
)  # fmt: skip
_AGENCY_WORDS = ("Spark", "Rise", "Amplify", "Vivid", "Catalyst", "Northstar", "Kinetic", "Prism")


def product_titles(rng: np.random.Generator, subcategories: list[str]) -> list[str]:
    """A title per product, from its subcategory's nouns."""
    adj = rng.integers(0, len(_ADJECTIVES), len(subcategories))
    pick = rng.integers(0, 1_000, len(subcategories))
    out = []
    for a, p, sub in zip(adj, pick, subcategories, strict=True):
        nouns = _NOUNS[sub]
        out.append(f"{_ADJECTIVES[a]} {nouns[p % len(nouns)]}")
    return out


def shop_names(rng: np.random.Generator, n: int) -> list[str]:
    """A name per shop (unique by a trailing number when words repeat)."""
    word = rng.integers(0, len(_SHOP_WORDS), n)
    suffix = rng.integers(0, len(_SHOP_SUFFIXES), n)
    return [
        f"{_SHOP_WORDS[w]} {_SHOP_SUFFIXES[s]}" + (f" {i // 160 + 1}" if i >= 160 else "")
        for i, (w, s) in enumerate(zip(word, suffix, strict=True))
    ]


def creator_handles(rng: np.random.Generator, n: int) -> list[str]:
    """A unique handle per creator (the index makes it unique)."""
    first = rng.integers(0, len(_FIRST), n)
    niche = rng.integers(0, len(_NICHES), n)
    return [
        f"{_FIRST[f]}{_NICHES[k]}{i}" for i, (f, k) in enumerate(zip(first, niche, strict=True))
    ]


def agency_names(n: int) -> list[str]:
    """A name per agency."""
    return [
        f"{_AGENCY_WORDS[i % len(_AGENCY_WORDS)]} Creators"
        + (f" {i // len(_AGENCY_WORDS) + 1}" if i >= len(_AGENCY_WORDS) else "")
        for i in range(n)
    ]
