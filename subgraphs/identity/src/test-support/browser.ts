export { TestBrowser, hiddenFields } from '@sportello/test-support';
