// The points mall (/mall): the rewards of GET /api/rewards with the shopper's tier price and members-only rewards,
// redeemed with the sync mutation `points.redeem`. Hundreds of rewards do not fit a phone as one list, so a
// filter (radio buttons drawn as chips) shows one part at a time: what the shopper can redeem now, one category,
// or everything, 20 at a time with "Show more". It filters what the page already loaded, so it works offline.
// Drawn by pwa/loyalty.js (its renderMall on every change of the synced view).

import { el, fill } from "./dom.js";
import { named, text, tr } from "./i18n.js";

export const PAGE_SIZE = 20;
const VIEW_KEY = "lastmile-mall-view"; // sessionStorage: the chosen part survives a visit to another page
const TIERS = ["silver", "gold", "diamond"]; // loyalty/tiers.py, lowest first

const STYLE = `
#lm-mall-filter{border:0;margin:0 0 .6rem;padding:0;min-width:0}
#lm-mall-filter[hidden]{display:none}
#lm-mall-filter legend{font-weight:600;padding:0 0 .3rem}
#lm-mall-filter .lm-chips{display:flex;flex-wrap:wrap;gap:.4rem}
#lm-mall-filter .lm-chip{position:relative}
#lm-mall-filter input{position:absolute;opacity:0;width:1px;height:1px;margin:0}
#lm-mall-filter label{display:block;padding:.3rem .8rem;border:1px solid var(--muted,#5b6661);border-radius:1rem;background:var(--card,#fff);color:var(--ink,#1d2321);cursor:pointer;white-space:nowrap}
#lm-mall-filter input:checked+label{background:var(--ink,#1d2321);border-color:var(--ink,#1d2321);color:#fff}
#lm-mall-filter input:focus-visible+label{outline:3px solid var(--brand,#0b5d4b);outline-offset:2px}
#lm-rewards li{margin:0 0 .5rem}
`;

let rewards = null; // the last answer of GET /api/rewards (null until one came)
let parts = null; // the mall's persistent nodes in the current mount (the filter keeps its focus across redraws)
let chosen = readChosen();
let settled = null; // the part this visit opened on (once the points are known), kept until the shopper chooses
let shown = PAGE_SIZE;

/** Ask the server for the mall again (stock moves as shoppers redeem). */
export async function loadRewards() {
  const response = await fetch("/api/rewards", { headers: { accept: "application/json" } });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  rewards = (await response.json()).items;
  return rewards;
}

/** Offline on the first visit: an empty mall rather than "Loading" for ever. */
export function noRewardsYet() {
  rewards = rewards || [];
}

/** What this tier pays for a reward (loyalty/rules.py reward_cost: diamond, else gold, else the listed cost). */
export function costFor(reward, tier) {
  if (tier === "diamond" && reward.diamondCost != null) return reward.diamondCost;
  if ((tier === "diamond" || tier === "gold") && reward.goldCost != null) return reward.goldCost;
  return reward.pointsCost;
}

const tierReaches = (tier, minTier) => !minTier || TIERS.indexOf(tier) >= TIERS.indexOf(minTier);

/** Whether the shopper could redeem the reward now: in stock, open to their tier, within their balance. */
export function canRedeem(reward, tier, balance) {
  return reward.stock > 0 && tierReaches(tier, reward.minTier) && balance >= costFor(reward, tier);
}

/** Points the shopper's queued redemptions will take (offline, or pushed and not pulled yet): the balance they
 * can still spend is the synced one less these, so a queue never offers more than the server will grant. */
export function heldPoints(pending, items, tier) {
  const byId = new Map((items || []).map((r) => [r.id, r]));
  return pending
    .filter((m) => m.name === "points.redeem" && byId.has(m.args?.rewardId))
    .reduce((held, m) => held + costFor(byId.get(m.args.rewardId), tier), 0);
}

/** The parts the filter offers, in order: redeemable now, each category (by code, "general" last), all. */
export function mallViews(items, tier, balance) {
  const categories = [...new Set(items.map((r) => r.category))]
    .sort((a, b) => (a === "general") - (b === "general") || (a < b ? -1 : a > b ? 1 : 0));
  return [
    { id: "redeemable", count: items.filter((r) => canRedeem(r, tier, balance)).length },
    ...categories.map((c) => ({ id: `category:${c}`, category: c, count: items.filter((r) => r.category === c).length })),
    { id: "all", count: items.length },
  ];
}

/** The part shown when the shopper chose none (or one that is gone): what they can redeem now, else the first
 * category. */
export function defaultView(views) {
  return views[0].count ? views[0].id : views[1]?.id || "all";
}

/** The rewards of one part, in the server's order (cheapest first). */
export function inView(items, view, tier, balance) {
  if (view === "redeemable") return items.filter((r) => canRedeem(r, tier, balance));
  if (view.startsWith("category:")) return items.filter((r) => r.category === view.slice(9));
  return items;
}

function categoryName(category) {
  return category === "general" ? text("perks.mall.general") : named("category", category);
}

function viewLabel(view) {
  if (view.id === "redeemable") return text("perks.mall.redeemable", { count: view.count });
  if (view.id === "all") return text("perks.mall.all", { count: view.count });
  return text("perks.mall.category", { category: categoryName(view.category), count: view.count });
}

function readChosen() {
  try {
    return sessionStorage.getItem(VIEW_KEY);
  } catch {
    return null;
  }
}

function choose(view) {
  chosen = view;
  shown = PAGE_SIZE;
  try {
    sessionStorage.setItem(VIEW_KEY, view);
  } catch {
    // (private mode: the choice lasts as long as the page)
  }
}

function skeleton(mount) {
  if (parts?.mount === mount && mount.contains(parts.list)) return parts;
  if (!document.getElementById("lm-mall-style")) document.head.append(el("style", { id: "lm-mall-style" }, STYLE));
  parts = {
    mount,
    head: el("div", { id: "lm-mall-head" }),
    filter: el("fieldset", { id: "lm-mall-filter", hidden: true }),
    status: el("p", { id: "lm-mall-shown", class: "lm-muted", role: "status" }),
    list: el("div", { id: "lm-mall-list" }),
  };
  fill(mount, parts.head, parts.filter, parts.status, parts.list);
  return parts;
}

// The radio buttons are rebuilt only when the parts change; otherwise their labels and state are updated in
// place, so arrowing through them never loses focus to a redraw.
function drawFilter(filter, views, current, redraw) {
  const ids = views.map((v) => v.id).join(" ");
  if (filter.dataset.views !== ids) {
    filter.dataset.views = ids;
    fill(filter, el("legend", {}, text("perks.mall.filter")), el("div", { class: "lm-chips" }, views.map((v) => {
      const id = `lm-mall-view-${v.id.replace(":", "-")}`;
      const input = el("input", { type: "radio", name: "lm-mall-view", id, value: v.id });
      input.addEventListener("change", () => {
        if (!input.checked) return;
        choose(v.id);
        redraw();
      });
      return el("span", { class: "lm-chip" }, input, el("label", { for: id }));
    })));
  }
  for (const [i, view] of views.entries()) {
    const chip = filter.querySelectorAll(".lm-chip")[i];
    chip.querySelector("label").textContent = viewLabel(view);
    chip.querySelector("input").checked = view.id === current;
  }
  filter.hidden = false;
}

function rewardItem(client, r, tier, balance) {
  return el("li", { "data-reward": r.id },
    el("strong", {}, r.name),
    ` ${tr("loyalty.reward_line", { cost: r.pointsCost, stock: r.stock ? tr("loyalty.left", { count: r.stock }) : tr("loyalty.sold_out") })} `,
    costFor(r, tier) < r.pointsCost ? `${text("perks.mall.your_price", { tier: named("tier", tier), cost: costFor(r, tier) })} ` : null,
    r.minTier ? `${text("perks.mall.members_only", { tier: named("tier", r.minTier) })} ` : null,
    el("button", {
      type: "button", class: "lm-btn", id: `lm-redeem-${r.id}`, disabled: !canRedeem(r, tier, balance),
      onclick: () => client.mutate("points.redeem", { rewardId: r.id }),
    }, tr("loyalty.redeem")));
}

/** Draw the mall into `mount` (called on every change of the synced view and when the rewards come). */
export function renderMall(client, mount) {
  const points = client.view.get("points");
  const tier = points?.tier || "silver";
  const waiting = client.pending.filter((m) => m.name === "points.redeem");
  // What the buttons and the "can redeem" part go by; the line at the top keeps the synced balance.
  const balance = Math.max(0, (points?.balance ?? 0) - heldPoints(waiting, rewards, tier));
  const refused = client.errors().filter((e) => e.name === "points.redeem");
  const { head, filter, status, list } = skeleton(mount);
  const focused = mount.contains(document.activeElement) ? document.activeElement.id : "";
  const focusedRow = [...list.querySelectorAll("#lm-rewards li")].findIndex((li) => li.contains(document.activeElement));
  fill(head,
    el("p", { id: "lm-balance" }, tr("loyalty.you_have", { balance: points?.balance ?? 0 })),
    waiting.length ? el("p", { class: "lm-muted", id: "lm-redeem-waiting" }, tr("loyalty.redeem_waiting", { count: waiting.length })) : null,
    refused.map((e) =>
      el("p", { class: "lm-error", role: "alert" }, `${tr("loyalty.not_redeemed", { detail: e.detail })} `, el("button", { type: "button", onclick: () => client.dismissError(e.id) }, tr("loyalty.ok")))));
  if (!rewards || !rewards.length) {
    filter.hidden = true;
    status.textContent = "";
    fill(list, el("p", { class: rewards ? null : "lm-muted" }, rewards ? tr("loyalty.mall_empty") : tr("mall.loading")));
    return;
  }
  const redraw = () => renderMall(client, mount);
  const views = mallViews(rewards, tier, balance);
  // A redemption that leaves nothing to redeem keeps the part the shopper is looking at (it never jumps to a
  // category under them); the default is made once, when the balance it depends on is known.
  const known = (id) => views.some((v) => v.id === id);
  const current = known(chosen) ? chosen : known(settled) ? settled : defaultView(views);
  if (points) settled = current;
  drawFilter(filter, views, current, redraw);
  const matching = inView(rewards, current, tier, balance);
  const visible = matching.slice(0, shown);
  const words = matching.length ? text("perks.mall.shown", { shown: visible.length, total: matching.length })
    : current === "redeemable" ? text("perks.mall.none_redeemable", { balance }) : text("perks.mall.view_empty");
  if (status.textContent !== words) status.textContent = words;
  const more = matching.length - visible.length;
  fill(list,
    visible.length ? el("ul", { id: "lm-rewards", dataset: { view: current } }, visible.map((r) => rewardItem(client, r, tier, balance))) : null,
    more > 0
      ? el("p", {}, el("button", {
          type: "button", class: "lm-btn alt", id: "lm-mall-more",
          onclick: () => {
            const first = visible.length;
            shown += PAGE_SIZE;
            redraw();
            const next = list.querySelectorAll("#lm-rewards li")[first]; // the first one just shown takes the focus
            if (next) {
              next.tabIndex = -1;
              next.focus();
            }
          },
        }, text("perks.mall.more", { count: Math.min(more, PAGE_SIZE) })))
      : null);
  if (focused && !mount.contains(document.activeElement)) refocus(focused, focusedRow, list, filter);
}

// The redraw replaced the focused control. Its new copy takes the focus; when it is gone (a reward redeemed out of
// the part shown), the row now in its place, else the chosen chip, so the keyboard stays where the shopper was.
function refocus(id, row, list, filter) {
  const again = document.getElementById(id);
  if (again) return again.focus();
  const rows = list.querySelectorAll("#lm-rewards li");
  const next = row >= 0 && rows.length ? rows[Math.min(row, rows.length - 1)] : null;
  if (!next) return filter.querySelector("input:checked")?.focus();
  next.tabIndex = -1;
  next.focus();
}
