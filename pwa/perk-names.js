// Names of the shop's own loyalty items in the page's language, from their structured fields: the cash coupons
// growth buys (loyalty/growth_shop.py GROWTH_COUPONS), lottery prizes, and the coupons growth bought, a lottery
// paid or a birthday pack gave (`coupons/{code}` rows with `source`). The growth and birthday coupons' stored
// `name` is English and stays on the wire for older clients; a prize an operator named (and the coupon it pays)
// keeps that name, an unnamed one is named here; a points-mall coupon's name is the operator's reward name.

import { text } from "./i18n.js";
import { money } from "./money.js";

// Code prefixes of loyalty coupons (loyalty/gifts.py new_code): rows synced before `source` existed lack it.
const SOURCE_BY_PREFIX = { GV: "growth", LW: "lottery", BD: "birthday" };

/** A cash coupon of the growth shop: en "€3 off", zh-CN "立减 €3". */
export function cashCouponName(item) {
  return text("perks.name.cash_off", { value: money(item.value, item.currency) });
}

/** A lottery prize: the operator's own name for it, else a coupon ("€20 coupon") or points ("100 points");
 * `currency` is the lottery's. */
export function prizeName(prize, currency) {
  if (prize.name) return prize.name;
  return prize.kind === "points"
    ? text("perks.name.points", { points: prize.points })
    : text("perks.name.coupon", { value: money(prize.value, currency) });
}

/** Where a `coupons/{code}` row came from: "mall", "growth", "lottery" or "birthday". */
export function couponSource(coupon) {
  return coupon.source || SOURCE_BY_PREFIX[String(coupon.code).split("-")[0]] || "mall";
}

/** A coupon of the shopper's as a list or the checkout names it. */
export function couponName(coupon) {
  const value = coupon.currency ? money(coupon.value, coupon.currency) : null;
  switch (value ? couponSource(coupon) : "mall") {
    case "growth": return text("perks.name.cash_off", { value });
    case "lottery": return coupon.name || text("perks.name.coupon", { value }); // a named prize keeps its name
    case "birthday": return text("perks.name.birthday", { value });
    default: return coupon.name;
  }
}

/** What a `draws/{id}` row won: the prize's own name, else named from its value (rows synced before `currency`
 * existed take it from the coupon row). */
export function drawPrizeName(draw, coupon) {
  if (draw.prizeName) return draw.prizeName;
  if (draw.kind === "points") return text("perks.name.points", { points: draw.points });
  const currency = draw.currency || coupon?.currency;
  return currency ? text("perks.name.coupon", { value: money(draw.value, currency) }) : "";
}
