import * as cornerstone from 'cornerstone-core';
import type { ImageRenderedDetail, Viewport } from 'cornerstone-core';
import type { MedicalImage } from '../core/image/medicalImage.ts';
import { toCornerstoneImage } from './cornerstoneImage.ts';

export interface ViewState {
  windowCenter: number;
  windowWidth: number;
  scale: number;
  invert: boolean;
}

/** Draws extra content in image pixel coordinates after each render (overlays). */
export type OverlayPainter = (ctx: CanvasRenderingContext2D, image: MedicalImage) => void;

/**
 * One cornerstone canvas showing one image at a time, with the interactions a reader
 * expects: drag = window/level, shift/middle-drag = pan, ctrl+wheel = zoom. Slice
 * navigation belongs to the caller (it owns the stack); the viewer only shows images.
 */
export class StackViewer {
  private current: MedicalImage | null = null;
  private userInvert = false;
  private painters: OverlayPainter[] = [];
  private readonly listeners = new Set<(state: ViewState) => void>();
  private readonly resizeObserver: ResizeObserver;
  private imageCounter = 0;

  constructor(private readonly element: HTMLElement) {
    cornerstone.enable(element);
    element.addEventListener(cornerstone.EVENTS.IMAGE_RENDERED, this.onRendered as EventListener);
    element.addEventListener('pointerdown', this.onPointerDown);
    element.addEventListener('wheel', this.onWheel, { passive: false });
    element.addEventListener('contextmenu', (e) => e.preventDefault());
    this.resizeObserver = new ResizeObserver(() => {
      if (this.current) cornerstone.resize(element, false);
    });
    this.resizeObserver.observe(element);
  }

  get image(): MedicalImage | null {
    return this.current;
  }

  /** Shows an image; keeps the reader's window/zoom when moving within the same series. */
  show(image: MedicalImage, keepView: boolean): void {
    const previous = this.current ? cornerstone.getViewport(this.element) : undefined;
    const csImage = toCornerstoneImage(image, `lunglens:${++this.imageCounter}`);
    this.current = image;
    if (keepView && previous) {
      cornerstone.displayImage(this.element, csImage, { ...previous, voiLUT: csImage.voiLUT });
    } else {
      const viewport = cornerstone.getDefaultViewportForImage(this.element, csImage);
      viewport.invert = image.invert !== this.userInvert;
      cornerstone.displayImage(this.element, csImage, viewport);
    }
  }

  setWindow(center: number, width: number): void {
    this.updateViewport({ voi: { windowCenter: center, windowWidth: Math.max(1, width) }, voiLUT: undefined });
  }

  resetWindow(): void {
    const image = this.current;
    if (!image) return;
    const w = image.windows[0] ?? {
      center: (image.minValue + image.maxValue) / 2,
      width: Math.max(1, image.maxValue - image.minValue),
    };
    const csLut = toCornerstoneImage(image, 'tmp').voiLUT;
    this.updateViewport({ voi: { windowCenter: w.center, windowWidth: w.width }, voiLUT: csLut });
  }

  setInvert(invert: boolean): void {
    this.userInvert = invert;
    if (this.current) this.updateViewport({ invert: this.current.invert !== invert });
  }

  zoomBy(factor: number): void {
    const vp = this.viewport();
    if (vp) this.updateViewport({ scale: Math.min(40, Math.max(0.05, vp.scale * factor)) });
  }

  fit(): void {
    if (this.current) cornerstone.fitToWindow(this.element);
  }

  setPainters(painters: OverlayPainter[]): void {
    this.painters = painters;
    this.redraw();
  }

  redraw(): void {
    if (this.current) cornerstone.updateImage(this.element);
  }

  onChange(listener: (state: ViewState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Image pixel → canvas (CSS px) coordinates; used by tests and overlays. */
  pixelToCanvas(x: number, y: number): { x: number; y: number } {
    return cornerstone.pixelToCanvas(this.element, { x, y });
  }

  get canvas(): HTMLCanvasElement | null {
    return this.element.querySelector('canvas');
  }

  destroy(): void {
    this.resizeObserver.disconnect();
    cornerstone.disable(this.element);
  }

  private viewport(): Viewport | undefined {
    return this.current ? cornerstone.getViewport(this.element) : undefined;
  }

  private updateViewport(patch: Partial<Viewport>): void {
    const vp = this.viewport();
    if (!vp) return;
    cornerstone.setViewport(this.element, { ...vp, ...patch });
  }

  private readonly onRendered = (event: CustomEvent<ImageRenderedDetail>): void => {
    const { enabledElement, canvasContext, viewport } = event.detail;
    const image = this.current;
    if (image && this.painters.length > 0) {
      canvasContext.save();
      cornerstone.setToPixelCoordinateSystem(enabledElement, canvasContext);
      for (const paint of this.painters) paint(canvasContext, image);
      canvasContext.restore();
    }
    const state: ViewState = {
      windowCenter: viewport.voi.windowCenter,
      windowWidth: viewport.voi.windowWidth,
      scale: viewport.scale,
      invert: viewport.invert,
    };
    for (const l of this.listeners) l(state);
  };

  private readonly onPointerDown = (down: PointerEvent): void => {
    const start = this.viewport();
    if (!start) return;
    const pan = down.button === 1 || down.button === 2 || down.shiftKey;
    const origin = { x: down.clientX, y: down.clientY };
    this.element.setPointerCapture(down.pointerId);
    const move = (e: PointerEvent): void => {
      const dx = e.clientX - origin.x;
      const dy = e.clientY - origin.y;
      if (pan) {
        this.updateViewport({
          translation: { x: start.translation.x + dx / start.scale, y: start.translation.y + dy / start.scale },
        });
      } else {
        // Same feel as most PACS: horizontal = width, vertical = level; scaled to the range.
        const range = this.current ? Math.max(1, this.current.maxValue - this.current.minValue) : 4096;
        const k = range / 512;
        this.updateViewport({
          voi: {
            windowWidth: Math.max(1, start.voi.windowWidth + dx * k),
            windowCenter: start.voi.windowCenter + dy * k,
          },
          voiLUT: undefined,
        });
      }
    };
    const up = (): void => {
      this.element.removeEventListener('pointermove', move);
      this.element.removeEventListener('pointerup', up);
      this.element.removeEventListener('pointercancel', up);
    };
    this.element.addEventListener('pointermove', move);
    this.element.addEventListener('pointerup', up);
    this.element.addEventListener('pointercancel', up);
  };

  private readonly onWheel = (e: WheelEvent): void => {
    if (!e.ctrlKey && !e.metaKey) return; // plain wheel scrolls slices (handled by the caller)
    e.preventDefault();
    this.zoomBy(e.deltaY < 0 ? 1.1 : 1 / 1.1);
  };
}
