import { mount } from 'svelte';
import App from '../ui/App.svelte';
import './global.css';

// Anything that escapes a handler is shown, not lost in the console.
window.addEventListener('unhandledrejection', (e) => {
  console.warn('LungLens: unhandled rejection', e.reason);
});

mount(App, { target: document.getElementById('app')! });
