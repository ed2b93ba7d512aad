// @ts-check
/* global document -- browser globals (the root ESLint config knows Node's only) */
// The dashboard's entry: render the app into #app.
import { html, render } from 'htm/preact';
import { App } from './app.js';
import './styles.css';

const root = document.getElementById('app');
if (root !== null) render(html`<${App} />`, root);
