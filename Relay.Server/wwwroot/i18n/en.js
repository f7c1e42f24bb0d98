// English strings. The body after "export default" is strict JSON (double quotes, no trailing commas): the tests
// parse it to check that every key exists in every language. Keys: page.area.name; {name} is a placeholder.
export default {
  "common.language": "Language",
  "common.brand": "Relay",
  "notFound.title": "Show not found · Relay",
  "notFound.heading": "This show doesn't exist",
  "notFound.hint": "Check the link you were given: the channel may have been renamed or removed."
};
