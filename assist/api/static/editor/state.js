/* What the editor's desk shows now: the period its reports cover, and the articles table's rows and order. */

export const state = { period: "7d", articles: [], sort: { key: "shown", descending: true } };
