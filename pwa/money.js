// Prices for people, from integer minor units: the PWA's one formatter. It mirrors catalog/money.py (format_price)
// rule for rule, so a price reads the same on a server-rendered page and in the cart;
// tests/browser/test_money.py checks both sides against one table of currencies.

// ISO 4217 currencies whose minor unit is not 1/100 (the rest use two decimals); catalog/money.py EXPONENTS.
export const EXPONENTS = {
  BIF: 0, CLP: 0, ISK: 0, JPY: 0, KRW: 0, PYG: 0, UGX: 0, VND: 0, XAF: 0, XOF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
};
// catalog/money.py SYMBOLS; other currencies keep their code after the amount.
export const SYMBOLS = { EUR: "€", USD: "$", GBP: "£", JPY: "¥", INR: "₹", KRW: "₩", BRL: "R$", NGN: "₦", CNY: "CN¥" };
// catalog/money.py LOCALE_SYMBOLS: where a locale reads a symbol differently (in zh-CN, ¥ is the yuan).
export const LOCALE_SYMBOLS = { "zh-CN": { CNY: "¥", JPY: "JP¥", USD: "US$" } };

/** `money(1290, "EUR")` → `€12.90`, `money(1290, "JPY")` → `¥1,290`, `money(1290, "CHF")` → `12.90 CHF`; the
 * locale defaults to the page's `<html lang>`. */
export function money(minor, currency, locale = (self.document?.documentElement.lang || "en")) {
  const exponent = EXPONENTS[currency] ?? 2;
  const sign = minor < 0 ? "-" : "";
  const unit = 10 ** exponent;
  const whole = Math.floor(Math.abs(minor) / unit);
  const fraction = Math.abs(minor) % unit;
  const amount = String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (exponent ? `.${String(fraction).padStart(exponent, "0")}` : "");
  const symbol = LOCALE_SYMBOLS[locale]?.[currency] || SYMBOLS[currency];
  return symbol ? `${sign}${symbol}${amount}` : `${sign}${amount} ${currency}`;
}
