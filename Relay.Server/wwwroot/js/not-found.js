// The 404 page of /watch, /studio and /replay: only its words to translate.
import { translate, languagePicker } from "./i18n.js";

translate();
document.querySelector("main").append(languagePicker());
