// 简体中文。"export default" 之后是严格的 JSON（双引号、无尾逗号）：测试会解析它，检查每个键在每种语言里都有。
export default {
  "common.language": "语言",
  "common.brand": "Relay",
  "notFound.title": "直播间不存在 · Relay",
  "notFound.heading": "这个直播间不存在",
  "notFound.hint": "请检查您收到的链接：频道可能已改名或被删除。"
};
