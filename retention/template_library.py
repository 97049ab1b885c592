"""The library of ready notification templates: every trigger and the holidays, each in en and zh-CN.

A template's ``key`` names it; the key equal to a trigger's name is that trigger's default text. Operators use
any key in a campaign variant, and may store their own text under a key (it then wins over the library's).
The shopper's locale picks the language (templates.choose).
"""

from __future__ import annotations

from .models import Template

OFFER_SENTENCES = {
    "en": "{title}: code {code} ({discount} off).",
    "zh-CN": "{title}：使用优惠码 {code}，享 {discount} 优惠。",
}
"""What ``{offer}`` says in a message of each language (retention/placeholders.py fills it)."""

# (key, trigger, url, en title, en body, zh-CN title, zh-CN body)
_LIBRARY: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    # cart abandoned
    ("cart_abandoned", "cart_abandoned", "/cart", "Your cart is waiting", "{items} item(s) are still in your cart. {offer}",
     "购物车还在等您", "您的购物车里还有 {items} 件商品。{offer}"),
    ("cart_abandoned.gentle", "cart_abandoned", "/cart", "Still thinking it over?", "We kept your cart as you left it.",
     "还在考虑吗？", "您的购物车我们原样保留着。"),
    ("cart_abandoned.offer", "cart_abandoned", "/cart", "{discount} off your cart", "Finish your order with code {code} before {expires_on}.",
     "购物车立减 {discount}", "在 {expires_on} 前使用券码 {code} 完成下单。"),
    ("cart_abandoned.stock", "cart_abandoned", "/cart", "Selling fast", "Items in your cart are popular: check out while they last.",
     "热销中", "您购物车里的商品很抢手，趁有货快下单吧。"),
    # churn risk
    ("churn_risk", "churn_risk", "/", "We miss you", "Come back and see what is new. {offer}",
     "好久不见", "回来看看有什么新品吧。{offer}"),
    ("churn_risk.winback", "churn_risk", "/", "{discount} to welcome you back", "Your code {code} is waiting until {expires_on}.",
     "回归礼 {discount}", "您的券码 {code} 有效期至 {expires_on}。"),
    ("churn_risk.news", "churn_risk", "/", "A lot has changed", "New products and better prices since your last visit.",
     "上新了", "自您上次光临以来，我们上新了不少好物，价格也更优惠。"),
    ("churn_risk.points", "churn_risk", "/points", "Your points are still here", "Use them in the points mall before they expire.",
     "您的积分还在", "趁积分未过期，去积分商城兑换吧。"),
    # birthday
    ("birthday", "birthday", "/points", "Happy birthday!", "A little present from us is in your account. {offer}",
     "生日快乐！", "一份小礼物已放入您的账户。{offer}"),
    ("birthday.pack", "birthday", "/points", "Your birthday pack is here", "As a {tier} member, your birthday gift is ready.",
     "生日礼包已到账", "作为{tier}会员，您的生日礼物已准备好。"),
    ("birthday.offer", "birthday", "/", "{discount} for your birthday", "Treat yourself with code {code}.",
     "生日专享 {discount}", "用券码 {code} 犒劳一下自己吧。"),
    # points expiring
    ("points_expiring", "points_expiring", "/points", "Points expiring soon", "{points} points expire on {expires_on}. Use them!",
     "积分即将过期", "{points} 积分将于 {expires_on} 过期，快去使用吧！"),
    ("points_expiring.mall", "points_expiring", "/mall", "Spend {points} points", "The points mall has rewards for you before {expires_on}.",
     "使用 {points} 积分", "在 {expires_on} 前，积分商城有适合您的礼品。"),
    ("points_expiring.last", "points_expiring", "/mall", "Last chance for your points", "{points} points are gone after {expires_on}.",
     "积分最后机会", "{expires_on} 之后，{points} 积分将清零。"),
    # tier up
    ("tier_up", "tier_up", "/points", "Welcome to {tier}", "You reached the {tier} tier. Enjoy its perks.",
     "欢迎成为{tier}会员", "您已升级为{tier}会员，尽享会员权益。"),
    ("tier_up.perks", "tier_up", "/points", "Your new perks", "As a {tier} member you earn more points and get free returns.",
     "新的会员权益", "作为{tier}会员，您可获得更多积分并享受免费退货。"),
    ("tier_up.mall", "tier_up", "/mall", "Member prices unlocked", "{tier} members get member prices in the points mall.",
     "会员价已解锁", "{tier}会员在积分商城享受会员专享价。"),
    # wishlist price drop
    ("wishlist_price_drop", "wishlist_price_drop", "/p/{sku}", "Price drop", "An item on your wishlist now costs {new_price} (was {old_price}).",
     "降价提醒", "您心愿单中的商品现价 {new_price}（原价 {old_price}）。"),
    ("wishlist_price_drop.urgent", "wishlist_price_drop", "/p/{sku}", "Now {new_price}", "The price you were waiting for: down from {old_price}.",
     "现价 {new_price}", "您等待的价格来了：从 {old_price} 降下来了。"),
    ("wishlist_price_drop.offer", "wishlist_price_drop", "/p/{sku}", "Cheaper, and {discount} more", "Now {new_price}, and code {code} takes {discount} off.",
     "降价再减 {discount}", "现价 {new_price}，用券码 {code} 再减 {discount}。"),
    # segment campaigns
    ("segment", "segment", "/", "Something for you", "We picked a few things you may like. {offer}",
     "为您准备", "我们为您挑选了一些可能喜欢的好物。{offer}"),
    ("segment.loyal", "segment", "/", "Thank you for shopping with us", "A thank-you for our most loyal shoppers. {offer}",
     "感谢您的支持", "献给最忠实顾客的一份谢礼。{offer}"),
    ("segment.price", "segment", "/", "Deals picked for you", "This week's best prices, and code {code} for {discount} off.",
     "为您精选优惠", "本周好价，另有券码 {code} 立减 {discount}。"),
    ("segment.explorer", "segment", "/", "Found something you like?", "Your first order earns 1,000 points. {offer}",
     "找到喜欢的了吗？", "首单即得 1,000 积分。{offer}"),
    # holidays
    ("holiday", "holiday", "/", "{holiday} is here", "Our {holiday} sale has started. {offer}",
     "{holiday}来了", "{holiday}大促已开启。{offer}"),
    ("holiday.618", "holiday", "/", "618 mid-year sale", "The 618 sale is on: {discount} off with code {code}.",
     "618 年中大促", "618 大促进行中：使用券码 {code} 立减 {discount}。"),
    ("holiday.618.preview", "holiday", "/", "618 starts soon", "Fill your cart now: the 618 prices arrive on {expires_on}.",
     "618 即将开始", "现在就加购吧：618 价格即将上线。"),
    ("holiday.618.tiered", "holiday", "/", "618: spend more, save more", "Spend 200, save 20; spend 500, save 60 with code {code}.",
     "618 满减", "使用券码 {code}：满 200 减 20，满 500 减 60。"),
    ("holiday.double11", "holiday", "/", "Double 11 is here", "The biggest sale of the year: {discount} off with code {code}.",
     "双十一来了", "年度最大促销：使用券码 {code} 立减 {discount}。"),
    ("holiday.double11.preview", "holiday", "/", "Double 11 is coming", "Add to your wishlist now and we tell you when prices drop.",
     "双十一即将到来", "现在加入心愿单，降价时我们第一时间通知您。"),
    ("holiday.double11.shipping", "holiday", "/", "Double 11: free shipping", "Free shipping on every order with code {code}.",
     "双十一包邮", "使用券码 {code}，所有订单免运费。"),
    ("holiday.double11.bundle", "holiday", "/", "Double 11 bundles", "Buy the set and save {discount} with code {code}.",
     "双十一套装优惠", "购买套装使用券码 {code} 立省 {discount}。"),
    ("holiday.spring_festival", "holiday", "/", "Happy Spring Festival", "Celebrate the new year with {discount} off: code {code}.",
     "新春快乐", "新春特惠：使用券码 {code} 立减 {discount}。"),
    ("holiday.spring_festival.gifts", "holiday", "/", "Gifts for the new year", "Gift sets for the whole family, delivered before the holiday.",
     "新年好礼", "全家人的新年礼盒，节前送达。"),
    ("holiday.spring_festival.red_packet", "holiday", "/points", "A red packet for you", "A new-year red packet of points is in your account.",
     "新春红包", "一份新春积分红包已放入您的账户。"),
    ("holiday.mid_autumn", "holiday", "/", "Mid-Autumn treats", "Tea and gifts for the moon festival. {offer}",
     "中秋好礼", "中秋佳节的茶与礼。{offer}"),
    ("holiday.black_friday", "holiday", "/", "Black Friday deals", "{discount} off with code {code}, this weekend only.",
     "黑色星期五特惠", "仅限本周末：使用券码 {code} 立减 {discount}。"),
    # new arrivals
    ("new_arrivals", "new_arrivals", "/p/{sku}", "New in, just for you", "{items} new product(s) in a range you love. See them first.",
     "新品抢先看", "您喜欢的品类上新了 {items} 件商品，抢先看看吧。"),
    ("new_arrivals.early", "new_arrivals", "/p/{sku}", "Early access", "As one of our best customers, you see the new range before anyone else.",
     "优先体验", "作为我们的忠实顾客，您可以比别人先看到新品。"),
    ("new_arrivals.offer", "new_arrivals", "/p/{sku}", "New, and {discount} off for you", "Try the new range with code {code}.",
     "新品专享 {discount}", "使用券码 {code} 体验新品。"),
    # back in stock
    ("back_in_stock", "back_in_stock", "/p/{sku}", "Back in stock", "An item on your wishlist is available again.",
     "到货提醒", "您心愿单中的商品已到货。"),
    ("back_in_stock.hurry", "back_in_stock", "/p/{sku}", "It is back, but not for long", "Your wishlist item is in stock again: get it before it sells out.",
     "补货了，数量有限", "您心愿单中的商品已补货，售完即止。"),
    ("back_in_stock.offer", "back_in_stock", "/p/{sku}", "Back, with {discount} off", "Your wishlist item is back; code {code} takes {discount} off.",
     "到货并减 {discount}", "心愿单商品已到货，券码 {code} 立减 {discount}。"),
    # browse abandon
    ("browse_abandon", "browse_abandon", "/p/{sku}", "Still looking at this?", "The product you keep coming back to is still here. {offer}",
     "还在看这件吗？", "您反复浏览的商品还在等您。{offer}"),
    ("browse_abandon.offer", "browse_abandon", "/p/{sku}", "A limited-time offer for you", "A limited-time {discount} off the product you keep coming back to: {code}.",
     "限时专享优惠", "您反复浏览的商品限时立减 {discount}：{code}。"),
    ("browse_abandon.help", "browse_abandon", "/p/{sku}", "Questions about it?", "Read the reviews and details of the product you viewed.",
     "有疑问吗？", "看看您浏览过的商品的评价和详情吧。"),
    ("browse_abandon.timer", "browse_abandon", "/p/{sku}", "24 hours only", "{discount} off the product you viewed, until {expires_on}.",
     "限时 24 小时", "您浏览过的商品立减 {discount}，截至 {expires_on}。"),
    # order shipped / delivered
    ("order_shipped", "order_shipped", "/orders", "Your order is on its way", "Order {order} has shipped.",
     "您的订单已发货", "订单 {order} 已发货。"),
    ("order_shipped.points", "order_shipped", "/points", "Shipped, and points on the way", "Order {order} has shipped; its points arrive once returns close.",
     "已发货，积分在路上", "订单 {order} 已发货，退货期结束后积分到账。"),
    ("order_delivered", "order_delivered", "/orders", "Delivered", "Order {order} has arrived. Enjoy!",
     "已送达", "订单 {order} 已送达，祝您使用愉快！"),
    ("order_delivered.review", "order_delivered", "/orders", "How was it?", "Review what you bought in order {order} and earn growth.",
     "体验如何？", "评价订单 {order} 中的商品可获得成长值。"),
    ("order_delivered.next", "order_delivered", "/", "Something to go with it", "Pieces that go well with order {order}. {offer}",
     "搭配推荐", "与订单 {order} 相配的好物。{offer}"),
    # operators' test
    ("test", "test", "/", "Test notification", "Notifications work on this device.",
     "测试通知", "此设备可以正常接收通知。"),
)


def library() -> list[Template]:
    """Every built-in template, each key in en and zh-CN (id 0: not stored)."""
    out = []
    for key, trigger, url, en_title, en_body, zh_title, zh_body in _LIBRARY:
        out.append(Template(id=0, key=key, locale="en", title=en_title, body=en_body, url=url, trigger=trigger,
                            built_in=True))
        out.append(Template(id=0, key=key, locale="zh-CN", title=zh_title, body=zh_body, url=url, trigger=trigger,
                            built_in=True))
    return out


_BY_KEY: dict[str, list[Template]] = {}
for _template in library():
    _BY_KEY.setdefault(_template.key, []).append(_template)


def built_in(key: str) -> list[Template]:
    """The library's locales of one key (empty when the library has no such key)."""
    return list(_BY_KEY.get(key, []))


def keys() -> list[str]:
    """Every library key."""
    return sorted(_BY_KEY)
