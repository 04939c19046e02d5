"""The demo bank's world: where customers live, the chains they shop at, where they travel.

Merchant names are written as they appear on a statement. Phone numbers use ranges set
aside for fiction (555-01xx in North America, Ofcom's drama ranges in the UK), and e-mail
addresses use the reserved example domains, so no demo row reaches a real person.
"""

import math
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Chains:
    """A country's everyday merchants, and what a dollar is worth there."""

    coffee: tuple[str, ...]
    restaurants: tuple[str, ...]
    stores: tuple[str, ...]
    online: tuple[str, ...]
    subscriptions: tuple[tuple[str, str], ...]  # merchant, monthly price in local money
    phone: tuple[tuple[str, str], ...]
    internet: tuple[tuple[str, str], ...]
    airlines: tuple[str, ...]
    atm_amounts: tuple[int, ...]
    per_dollar: float  # scales amounts drawn in dollars to the local currency


@dataclass(frozen=True, slots=True)
class Home:
    """A city customers live in: its country, currency, time zone and local chains."""

    city: str
    country: str
    currency: str
    utc_offset: int  # hours at standard time; a demo can ignore daylight saving
    phone_prefix: str
    phone_digits: int
    locale: str
    utility: str
    grocers: tuple[str, ...]
    fuel: tuple[str, ...]

    @property
    def chains(self) -> Chains:
        """The everyday merchants of the home's country."""
        return CHAINS[self.country]


@dataclass(frozen=True, slots=True)
class Destination:
    """A place customers travel to, and the merchants a visitor pays there."""

    city: str
    country: str
    merchants: tuple[tuple[str, str], ...]  # merchant, category


CHAINS: dict[str, Chains] = {
    "US": Chains(
        coffee=("Starbucks", "Dunkin'", "Peet's Coffee", "Dutch Bros Coffee"),
        restaurants=(
            "Chipotle", "Panera Bread", "Olive Garden", "Shake Shack", "Sweetgreen",
            "Chick-fil-A", "Texas Roadhouse", "Domino's Pizza", "P.F. Chang's", "Five Guys",
        ),
        stores=("Target", "Walgreens", "CVS Pharmacy", "The Home Depot", "TJ Maxx", "Costco Whse"),
        online=(
            "Amazon.com", "Target.com", "Walmart.com", "Etsy.com", "BestBuy.com", "Chewy.com",
        ),
        subscriptions=(
            ("Netflix.com", "15.49"), ("Spotify USA", "11.99"), ("Apple.com/bill", "2.99"),
            ("Amazon Prime", "14.99"), ("Hulu", "17.99"), ("Disney Plus", "13.99"),
            ("Planet Fitness", "24.99"), ("NYTimes.com", "17.00"), ("YouTube Premium", "13.99"),
        ),
        phone=(("Verizon Wireless", "85.00"), ("T-Mobile", "70.00"), ("AT&T Mobility", "65.00")),
        internet=(("Comcast Xfinity", "80.00"), ("Spectrum", "69.99"), ("AT&T Internet", "65.00")),
        airlines=("Delta Air Lines", "United Airlines", "American Airlines", "Southwest Airlines"),
        atm_amounts=(40, 60, 100, 200),
        per_dollar=1.0,
    ),
    "CA": Chains(
        coffee=("Tim Hortons", "Starbucks", "Second Cup"),
        restaurants=(
            "Swiss Chalet", "Boston Pizza", "The Keg Steakhouse", "A&W Canada", "Pizza Pizza",
            "Freshii",
        ),
        stores=("Shoppers Drug Mart", "Canadian Tire", "Winners", "Costco Wholesale"),
        online=("Amazon.ca", "Best Buy Canada", "Indigo.ca", "Walmart.ca"),
        subscriptions=(
            ("Netflix.com", "16.49"), ("Spotify Canada", "10.99"), ("Crave", "19.99"),
            ("Amazon Prime CA", "9.99"), ("GoodLife Fitness", "49.99"),
        ),
        phone=(
            ("Rogers Wireless", "75.00"), ("Bell Mobility", "80.00"), ("Telus Mobility", "70.00"),
        ),
        internet=(("Rogers Internet", "95.00"), ("Bell Internet", "85.00")),
        airlines=("Air Canada", "WestJet"),
        atm_amounts=(40, 60, 100, 200),
        per_dollar=1.36,
    ),
    "GB": Chains(
        coffee=("Costa Coffee", "Caffe Nero", "Pret A Manger"),
        restaurants=(
            "Nando's", "Wagamama", "Pizza Express", "Dishoom", "Wetherspoons", "Honest Burgers",
        ),
        stores=("Boots", "Marks & Spencer", "Argos", "Primark"),
        online=("Amazon.co.uk", "ASOS", "Currys.co.uk", "John Lewis"),
        subscriptions=(
            ("Netflix.com", "10.99"), ("Spotify UK", "11.99"), ("Amazon Prime UK", "8.99"),
            ("PureGym", "24.99"), ("Disney Plus UK", "7.99"),
        ),
        phone=(("Vodafone UK", "30.00"), ("EE Limited", "35.00"), ("O2 UK", "28.00")),
        internet=(("BT Broadband", "45.00"), ("Virgin Media", "50.00"), ("Sky Broadband", "40.00")),
        airlines=("British Airways", "easyJet", "Ryanair"),
        atm_amounts=(20, 50, 100),
        per_dollar=0.79,
    ),
    "IE": Chains(
        coffee=("Insomnia Coffee", "Butlers Chocolate Cafe", "Starbucks"),
        restaurants=("Nando's", "Eddie Rocket's", "Bunsen", "Wagamama"),
        stores=("Boots", "Penneys", "Harvey Norman"),
        online=("Amazon.co.uk", "Zalando.ie", "Littlewoods Ireland", "Currys.ie"),
        subscriptions=(("Netflix.com", "12.99"), ("Spotify IE", "10.99"), ("Flyefit", "29.99")),
        phone=(("Vodafone Ireland", "30.00"), ("Three Ireland", "25.00")),
        internet=(("Eir Broadband", "55.00"), ("Virgin Media IE", "50.00")),
        airlines=("Aer Lingus", "Ryanair"),
        atm_amounts=(20, 50, 100),
        per_dollar=0.92,
    ),
}  # fmt: skip

US_HOMES: tuple[Home, ...] = tuple(
    Home(city, "US", "USD", offset, f"+1 {area} 555 01", 2, "en_US", utility, grocers, fuel)
    for city, offset, area, utility, grocers, fuel in (
        ("Austin", -6, "512", "Austin Energy", ("H-E-B", "Whole Foods Market"), ("Shell", "Exxon")),
        ("Chicago", -6, "312", "ComEd", ("Jewel-Osco", "Mariano's"), ("BP", "Shell")),
        ("Seattle", -8, "206", "Seattle City Light", ("QFC", "Safeway"), ("Chevron", "Shell")),
        ("Denver", -7, "303", "Xcel Energy", ("King Soopers", "Safeway"), ("Conoco", "Shell")),
        ("Atlanta", -5, "404", "Georgia Power", ("Kroger", "Publix"), ("QuikTrip", "Chevron")),
        ("Phoenix", -7, "602", "APS Electric", ("Fry's Food", "Safeway"), ("Circle K", "Chevron")),
        ("Columbus", -5, "614", "AEP Ohio", ("Kroger", "Giant Eagle"), ("Speedway", "BP")),
        ("Charlotte", -5, "704", "Duke Energy", ("Harris Teeter", "Food Lion"), ("Sheetz", "BP")),
        ("Boston", -5, "617", "Eversource", ("Stop & Shop", "Star Market"), ("Mobil", "Shell")),
        ("San Diego", -8, "619", "SDG&E", ("Vons", "Ralphs"), ("Chevron", "Arco")),
        ("Minneapolis", -6, "612", "Xcel Energy", ("Cub Foods", "Hy-Vee"), ("Holiday", "BP")),
        ("Tampa", -5, "813", "TECO Tampa Electric", ("Publix", "Winn-Dixie"), ("RaceTrac", "Wawa")),
    )
)  # fmt: skip

FOREIGN_HOMES: tuple[Home, ...] = (
    Home("Toronto", "CA", "CAD", -5, "+1 416 555 01", 2, "en_CA", "Toronto Hydro",
         ("Loblaws", "Metro"), ("Petro-Canada", "Esso")),
    Home("Vancouver", "CA", "CAD", -8, "+1 604 555 01", 2, "en_CA", "BC Hydro",
         ("Save-On-Foods", "Safeway"), ("Chevron", "Petro-Canada")),
    Home("London", "GB", "GBP", 0, "+44 20 7946 0", 3, "en_GB", "British Gas",
         ("Tesco", "Sainsbury's"), ("BP", "Shell")),
    Home("Manchester", "GB", "GBP", 0, "+44 161 496 0", 3, "en_GB", "Octopus Energy",
         ("Asda", "Co-op Food"), ("Esso", "Texaco")),
    Home("Dublin", "IE", "EUR", 0, "+353 1 555 0", 3, "en_IE", "Electric Ireland",
         ("Tesco", "Dunnes Stores"), ("Circle K", "Applegreen")),
)  # fmt: skip

DESTINATIONS: tuple[Destination, ...] = (
    Destination("Cancun", "MX", (
        ("Hotel Riu Cancun", "travel"), ("OXXO Zona Hotelera", "groceries"),
        ("La Habichuela", "restaurants"), ("ADO Autobuses", "travel"),
        ("Coco Bongo", "entertainment"),
    )),
    Destination("London", "GB", (
        ("Premier Inn London", "travel"), ("Pret A Manger", "restaurants"),
        ("TfL Travel Charge", "travel"), ("Dishoom Covent Garden", "restaurants"),
        ("Tesco Express", "groceries"),
    )),
    Destination("Paris", "FR", (
        ("Hotel Ibis Paris", "travel"), ("Carrefour City", "groceries"),
        ("Cafe de Flore", "restaurants"), ("RATP", "travel"), ("Musee du Louvre", "entertainment"),
    )),
    Destination("Rome", "IT", (
        ("Hotel Artemide", "travel"), ("Conad City", "groceries"), ("Roscioli", "restaurants"),
        ("ATAC Roma", "travel"), ("Musei Vaticani", "entertainment"),
    )),
    Destination("Tokyo", "JP", (
        ("Hotel Gracery Shinjuku", "travel"), ("FamilyMart", "groceries"),
        ("Ichiran Ramen", "restaurants"), ("JR East", "travel"), ("Uniqlo Ginza", "shopping"),
    )),
    Destination("New York", "US", (
        ("Marriott Marquis NYC", "travel"), ("Joe's Pizza", "restaurants"),
        ("MTA NYC Transit", "travel"), ("Duane Reade", "groceries"), ("MoMA", "entertainment"),
    )),
)  # fmt: skip

# Typical spend per visit, in dollars, at a merchant of each category while travelling.
TRAVEL_SPEND = {
    "travel": 140.0,
    "restaurants": 45.0,
    "groceries": 18.0,
    "entertainment": 40.0,
    "shopping": 60.0,
}
EMAIL_DOMAINS = ("example.com", "example.net", "example.org")


def money(value: float) -> Decimal:
    """A float amount as Decimal cents (rounded once, here, from a drawn value)."""
    return Decimal(f"{value:.2f}")


def spend(rng: random.Random, *, median: float, spread: float, scale: float = 1.0) -> Decimal:
    """A positive amount around a median, skewed like real spending (log-normal)."""
    return money(max(1.0, median * scale * math.exp(rng.gauss(0.0, spread))))


def store_name(rng: random.Random, name: str) -> str:
    """A chain's name with a store number, the way a card statement shows one branch."""
    return f"{name} #{rng.randrange(100, 10_000):04d}"


def pick(rng: random.Random, items: tuple[T, ...], low: int, high: int) -> tuple[T, ...]:
    """Between low and high distinct items (fewer when there are not that many)."""
    return tuple(rng.sample(items, min(len(items), rng.randint(low, high))))
